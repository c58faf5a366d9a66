package org.chargeedge.balancer.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.chargeedge.api.store.BalancerMemory;
import org.chargeedge.ocpp.v16.ChargingRateUnitType;

/**
 * What the controller knows of one charger: its learnt capabilities, the
 * profiles in force at it, the one command in flight. Confined to the
 * controller thread (plain fields and maps, no locking).
 */
final class ChargerLink {

    /** A TxProfile the charger accepted; {@code numberPhases} 0 when it carried none in A. */
    record Sent(String session, double limitA, Instant validTo, Instant at, int numberPhases) {
    }

    /**
     * The TxProfile limit the controller wants in force for a connector's session: {@code phases} turns A into W,
     * {@code numberPhases} (1 or 3 on a charger that switches phases, else 0) is sent in A as well.
     */
    record Desired(String session, int transactionId, double limitA, int phases, int numberPhases) {
    }

    final String id;
    boolean connected;
    Instant connectedSince;
    Instant bootedAt;
    int connectorCount = 1;

    // capabilities, learnt from GetConfiguration and from answers
    boolean configAsked;
    ChargingRateUnitType unit = ChargingRateUnitType.A;
    /** The unit came from the charger (its key or an answer), so a rejection is not blamed on the unit. */
    boolean unitLearnt;
    boolean txDefaultRejected;
    boolean txProfileRejected;
    /** It rejected a TxProfile of kind Absolute for an open session: its TxProfiles go as Relative. */
    boolean relativeTxProfiles;
    /**
     * Its {@code ConnectorSwitch3to1PhaseSupported} said true: a session may be switched between 3 phases and 1.
     * Asked with the unit on every new connection, and kept in the store with it.
     */
    boolean switchesPhases;
    /**
     * Its MeterValueSampleInterval and MeterValuesSampledData as its last GetConfiguration said (null: not
     * reported), and the changes to them still to be asked (key, value), in order. Read on every new connection,
     * not kept in the store: the CSMS may change them in between.
     */
    Integer sampleIntervalS;
    String sampledData;
    final ArrayDeque<String[]> meterChanges = new ArrayDeque<>();
    /**
     * Connectors whose session started before this connection (it ran through a reconnect or a gateway start),
     * and those of them asked for their MeterValues (TriggerMessage) on this connection.
     */
    final Set<Integer> runningThrough = new TreeSet<>();
    final Set<Integer> meterTriggered = new HashSet<>();
    /** Why its draw may not be measured (a change it refused), or null. */
    String meterProblem;
    /**
     * How long it took, in its last falls, from accepting a lower limit to the first meter reading within it
     * (the MeterValues interval included: what the controller can see), newest last, at most
     * {@link #REACTION_SAMPLES}.
     */
    final ArrayDeque<Duration> reactions = new ArrayDeque<>();
    static final int REACTION_SAMPLES = 5;
    /** It answered NotSupported: it does not do smart charging at all. */
    boolean notSupported;
    /** Its firmware as its last BootNotification said, and the one the capabilities above were learnt under. */
    String firmware;
    String learntUnder;

    /**
     * The safe share per connector its TxDefaultProfile should hold, the one it accepted (null: none yet) and when.
     * What it accepted is kept in the store with its TxProfiles, and taken back after a gateway restart.
     */
    double defaultWantedA;
    Double defaultSentA;
    Instant defaultSentAt;

    /**
     * By connector id. Kept in the store: after a gateway restart, the TxProfiles the charger accepted before it
     * (it keeps them until their validTo whether the gateway runs or not).
     */
    final Map<Integer, Sent> sent = new HashMap<>();
    /** By connector id; only connectors with an open transaction. */
    final Map<Integer, Desired> desired = new HashMap<>();

    /** A TxProfile it rejected is being judged (see the controller's judgeRejection): nothing is sent meanwhile. */
    boolean judgingRejection;
    /** What is in flight (for the shell), or null: one command at a time. */
    String inFlight;
    Instant retryAt;
    long commands;
    Instant firstCommandAt;

    ChargerLink(String id) {
        this.id = id;
    }

    /** What was learnt, as the store keeps it. */
    BalancerMemory.ChargerCapabilities learnt(Instant at) {
        return new BalancerMemory.ChargerCapabilities(id, unitLearnt ? unit.name() : null, txDefaultRejected,
                txProfileRejected, notSupported, firmware, at, switchesPhases, reaction(), relativeTxProfiles);
    }

    /** Takes what was kept of the charger before a restart. */
    void remember(BalancerMemory.ChargerCapabilities c) {
        if (c.unit() != null) {
            unit = ChargingRateUnitType.valueOf(c.unit());
            unitLearnt = true;
        }
        txDefaultRejected = c.txDefaultRejected();
        txProfileRejected = c.txProfileRejected();
        notSupported = c.noSmartCharging();
        switchesPhases = c.switchesPhases();
        relativeTxProfiles = c.relativeTxProfiles();
        reactions.clear();
        if (c.reactionTime() != null) {
            reactions.add(c.reactionTime());
        }
        learntUnder = c.firmwareVersion();
    }

    /** A new firmware may do what the old one did not: everything is learnt again. */
    void forgetCapabilities() {
        unit = ChargingRateUnitType.A;
        unitLearnt = false;
        txDefaultRejected = false;
        txProfileRejected = false;
        notSupported = false;
        switchesPhases = false;
        relativeTxProfiles = false;
        reactions.clear();
    }

    /** A fall it was seen to follow, and how long that took. */
    void reacted(Duration took) {
        reactions.addLast(took);
        while (reactions.size() > REACTION_SAMPLES) {
            reactions.removeFirst();
        }
    }

    /** The longest of its last reactions, whole seconds rounded up; null when none was measured. */
    Duration reaction() {
        Duration longest = null;
        for (Duration d : reactions) {
            longest = longest == null || d.compareTo(longest) > 0 ? d : longest;
        }
        return longest == null ? null : Duration.ofSeconds(longest.plusMillis(999).toSeconds());
    }

    /** Whether the charger takes TxProfiles at all, as far as it told us. */
    boolean takesTxProfiles() {
        return !notSupported && !txProfileRejected;
    }

    String capabilities() {
        if (notSupported) {
            return "no smart charging (NotSupported)";
        }
        StringBuilder s = new StringBuilder("unit ").append(unit).append(unitLearnt ? "" : " (assumed)");
        if (txProfileRejected) {
            s.append(", rejects TxProfile");
        } else if (relativeTxProfiles) {
            s.append(", TxProfiles as Relative");
        }
        if (txDefaultRejected) {
            s.append(", rejects TxDefaultProfile");
        }
        if (switchesPhases) {
            s.append(", switches 3/1 phases");
        }
        Duration r = reaction();
        if (r != null) {
            s.append(", follows a fall in ").append(r.toSeconds()).append(" s");
        }
        if (sampleIntervalS != null) {
            s.append(sampleIntervalS == 0 ? ", no sampled MeterValues" : ", MeterValues every " + sampleIntervalS + " s");
        }
        if (meterProblem != null) {
            s.append(", ").append(meterProblem);
        }
        return s.toString();
    }
}
