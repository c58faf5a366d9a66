package org.chargeedge.api.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What the load balancer keeps across restarts: the modes set for sessions and for chargers at run time, and
 * what it learnt of each charger's smart charging. Modes are names ({@code Fast}, {@code PV}, ...) as the
 * balancer spells them: the store does not interpret them. Since 2.5 also the charging profiles chargers accepted,
 * so that a charger that has not reconnected after a gateway restart is counted at what it may still draw. Writes
 * complete once committed and synced. Since 2.3.
 */
@ProviderType
public interface BalancerMemory {

    /**
     * A mode set for the session on a connector.
     *
     * @param chargePointId the charger
     * @param connectorId the connector, from 1
     * @param transactionId the session it is for; null: for the next session on the connector
     * @param mode the mode's name
     * @param departure when the car leaves (Scheduled), or null
     * @param energyWh the energy wanted by then (Scheduled), or null
     */
    record SessionMode(String chargePointId, int connectorId, Integer transactionId, String mode, Instant departure,
                       Double energyWh) {
    }

    /**
     * What a charger showed of its smart charging.
     *
     * @param chargePointId the charger
     * @param unit the rate unit it takes, {@code A} or {@code W}, learnt from its configuration or answers; null
     *             when not learnt
     * @param txDefaultRejected it rejects TxDefaultProfiles
     * @param txProfileRejected it rejects TxProfiles
     * @param noSmartCharging it answered NotSupported: no smart charging at all
     * @param firmwareVersion its firmware when this was learnt (null if unknown): a new firmware is asked again
     * @param learntAt when this was last learnt
     * @param switchesPhases its {@code ConnectorSwitch3to1PhaseSupported} said true (since 2.4)
     * @param reactionTime how long it was seen to take, at most, from accepting a lower limit to a meter reading
     *                     within it; null when not measured (since 2.4)
     * @param relativeTxProfiles it rejected TxProfiles of kind Absolute: they go to it as Relative (since 2.5)
     */
    record ChargerCapabilities(String chargePointId, String unit, boolean txDefaultRejected,
                               boolean txProfileRejected, boolean noSmartCharging, String firmwareVersion,
                               Instant learntAt, boolean switchesPhases, Duration reactionTime,
                               boolean relativeTxProfiles) {

        /** As in 2.4: TxProfiles of kind Absolute. */
        public ChargerCapabilities(String chargePointId, String unit, boolean txDefaultRejected,
                                   boolean txProfileRejected, boolean noSmartCharging, String firmwareVersion,
                                   Instant learntAt, boolean switchesPhases, Duration reactionTime) {
            this(chargePointId, unit, txDefaultRejected, txProfileRejected, noSmartCharging, firmwareVersion,
                    learntAt, switchesPhases, reactionTime, false);
        }

        /** As before 2.4: a charger not known to switch phases, its reaction time not measured. */
        public ChargerCapabilities(String chargePointId, String unit, boolean txDefaultRejected,
                                   boolean txProfileRejected, boolean noSmartCharging, String firmwareVersion,
                                   Instant learntAt) {
            this(chargePointId, unit, txDefaultRejected, txProfileRejected, noSmartCharging, firmwareVersion,
                    learntAt, false, null);
        }
    }

    /**
     * A charging profile a charger accepted from the balancer and may still apply: per connector the TxProfile of
     * its session, and on connector 0 the share its TxDefaultProfile holds. Since 2.5.
     *
     * @param chargePointId the charger
     * @param connectorId the connector, from 1; 0 for the TxDefaultProfile
     * @param transactionId the session the TxProfile is for; null for the TxDefaultProfile
     * @param limitA its limit, A per phase
     * @param validTo when the TxProfile runs out; null for the TxDefaultProfile (it does not)
     * @param acceptedAt when the charger accepted it
     * @param numberPhases the numberPhases it carried (1 or 3), 0 when none
     * @param phasesSince when the session was last switched between 3 phases and 1, null if never
     * @param onOffSince since when the session has been charging (a limit above 0) or paused (0) without a break,
     *                   as the balancer counts minimum on and off times; null if not known
     */
    record SentProfile(String chargePointId, int connectorId, Integer transactionId, double limitA, Instant validTo,
                       Instant acceptedAt, int numberPhases, Instant phasesSince, Instant onOffSince) {

        public SentProfile {
            if (connectorId < 0 || (connectorId == 0) != (transactionId == null)
                    || (connectorId == 0) != (validTo == null) || !(limitA >= 0) || acceptedAt == null) {
                throw new IllegalArgumentException("invalid charging profile of " + chargePointId + " connector "
                        + connectorId + ": transaction " + transactionId + ", " + limitA + " A, valid to " + validTo);
            }
        }
    }

    /** Everything kept. */
    record Remembered(List<SessionMode> sessionModes, java.util.Map<String, String> chargerModes,
                      List<ChargerCapabilities> capabilities, List<SentProfile> sentProfiles) {
        public Remembered {
            sessionModes = List.copyOf(sessionModes);
            chargerModes = java.util.Map.copyOf(chargerModes);
            capabilities = List.copyOf(capabilities);
            sentProfiles = List.copyOf(sentProfiles);
        }

        /** As before 2.5: no profiles. */
        public Remembered(List<SessionMode> sessionModes, java.util.Map<String, String> chargerModes,
                          List<ChargerCapabilities> capabilities) {
            this(sessionModes, chargerModes, capabilities, List.of());
        }
    }

    /** Reads everything kept (a few rows per charger). */
    Remembered remembered();

    /** Keeps a session's mode, replacing the connector's earlier one. */
    CompletionStage<Void> saveSessionMode(SessionMode mode);

    /** Forgets the connector's session mode (its session ended). */
    CompletionStage<Void> forgetSessionMode(String chargePointId, int connectorId);

    /** Keeps a charger's default mode set at run time; null forgets it (the configured one applies again). */
    CompletionStage<Void> saveChargerMode(String chargePointId, String mode);

    /** Keeps what the balancer learnt of a charger, replacing what was kept. */
    CompletionStage<Void> saveCapabilities(ChargerCapabilities capabilities);

    /** Keeps a profile a charger accepted, replacing the connector's earlier one. Since 2.5. */
    CompletionStage<Void> saveSentProfile(SentProfile profile);

    /** Forgets the connector's profile (connector 0: the TxDefaultProfile's share). Since 2.5. */
    CompletionStage<Void> forgetSentProfile(String chargePointId, int connectorId);
}
