package org.chargeedge.balancer.internal;

import java.time.Instant;
import java.util.List;
import java.util.OptionalDouble;

import org.chargeedge.api.balancer.BalancerStatus;
import org.chargeedge.balancer.core.Allocation.Reason;
import org.chargeedge.balancer.core.SiteSnapshot.ConnectorRef;
import org.chargeedge.balancer.core.SiteSnapshot.Mode;
import org.chargeedge.balancer.core.SiteSnapshot.PhaseAmps;

/**
 * What the balancer decided last, for the shell and the log. Immutable; published by the controller thread after
 * every run.
 *
 * @param at when
 * @param enabled whether balancing is on
 * @param gridLimitA the grid limit per phase in use
 * @param gridLimitDefault whether that is the default because the installer has not set one
 * @param gridMeter the grid meter's state in words (fresh, stale, unknown, of unknown age)
 * @param budget where the load of everything but the chargers came from
 * @param safeBudgetInUse whether the safe budget is assumed now
 * @param safeBudgetA the configured safe budget per phase
 * @param available what the grid leaves to the chargers, per phase
 * @param connectors one row per connector
 * @param chargers one row per charger
 */
record BalanceStatus(Instant at, boolean enabled, double gridLimitA, boolean gridLimitDefault, String gridMeter,
                     String budget, boolean safeBudgetInUse, double safeBudgetA, PhaseAmps available,
                     List<ConnectorRow> connectors, List<ChargerRow> chargers) {

    BalanceStatus {
        connectors = List.copyOf(connectors);
        chargers = List.copyOf(chargers);
    }

    /**
     * @param ref CHARGER/CONNECTOR
     * @param session the transaction, or null
     * @param mode the session's mode
     * @param limitA the core's limit
     * @param sentA the TxProfile limit in force at the charger, or null
     * @param draw what it draws, as text
     * @param reason why, in an installer's words
     * @param control follows its limit, ignores it, offline
     * @param at which connector
     * @param modeOf the session's mode, and where it comes from
     * @param priority its priority
     * @param why the core's reason (kind, text, until when)
     * @param controlKind the control as the API names it
     * @param departure a Scheduled session's departure, else null
     * @param energyNeededWh a Scheduled session's energy still needed, else null
     * @param energyTargetWh a Scheduled session's energy target as set, with its departure, else null
     */
    record ConnectorRow(String ref, String session, String mode, double limitA, Double sentA, String draw,
                        String reason, String control, ConnectorRef at, ModeOf modeOf, int priority, Reason why,
                        BalancerStatus.Control controlKind, java.time.Instant departure, Double energyNeededWh,
                        Double energyTargetWh) {
    }

    /** A session's mode and where it comes from. */
    record ModeOf(Mode mode, BalancerStatus.ModeOrigin origin) {
    }

    /**
     * @param id charge point id
     * @param connected whether it is connected
     * @param capabilities what it takes
     * @param safeShareA its TxDefaultProfile limit per connector, or null if not in force
     * @param commands profile commands sent since start
     * @param inFlight the command in flight, or null
     */
    record ChargerRow(String id, boolean connected, String capabilities, Double safeShareA, long commands,
                      String inFlight) {
    }

    /**
     * The limit in force at a connector, A: the TxProfile it accepted, else its charger's safe share
     * (TxDefaultProfile); empty when neither is in force.
     */
    OptionalDouble limitInForce(String chargerId, int connectorId) {
        String ref = chargerId + "/" + connectorId;
        for (ConnectorRow c : connectors) {
            if (c.ref().equals(ref) && c.sentA() != null) {
                return OptionalDouble.of(c.sentA());
            }
        }
        for (ChargerRow c : chargers) {
            if (c.id().equals(chargerId) && c.safeShareA() != null) {
                return OptionalDouble.of(c.safeShareA());
            }
        }
        return OptionalDouble.empty();
    }
}
