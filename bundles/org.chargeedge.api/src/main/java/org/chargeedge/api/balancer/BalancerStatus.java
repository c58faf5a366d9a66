package org.chargeedge.api.balancer;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What the load balancer decided last and why. Read-only; every call returns an immutable value of the
 * balancer's latest run (it runs on every meter reading and charger event, and at least once a second).
 */
@ProviderType
public interface BalancerStatus {

    /** Why a connector got its limit. */
    enum ReasonKind {
        /** No session, or the connector cannot charge. */
        IDLE,
        /** The session's mode is Off. */
        OFF,
        /** All it can take: the charger's, the car's or the CSMS's limit. */
        CAPPED,
        /** A grid, total power or circuit limit is reached; the rest is shared. */
        SHARED,
        /** Its share of the PV surplus. */
        PV_SURPLUS,
        /** Waiting for PV surplus. */
        PV_WAITING,
        /** Paused so that others get their turn, or held off for its minimum off time. */
        ROTATION,
        /** Paused: no room on a phase or circuit. */
        NO_ROOM,
        /** Scheduled: waiting for a cheaper window, or its target is reached. */
        SCHEDULED_WAITING,
        /** The charger does not follow its limit (or is offline) and is counted at what it may draw. */
        COUNTED_AS_DRAWN
    }

    /** Whether a connector's charger follows the limits it gets. */
    enum Control {
        /** No session on the connector. */
        IDLE,
        /** It follows its limits. */
        FOLLOWS,
        /** It was seen drawing above its limit for longer than its reaction time. */
        IGNORES_LIMIT,
        /** It rejects TxProfiles or does no smart charging at all: counted at what it draws. */
        NO_PROFILES,
        /** It is not connected: counted at its last limit, then at its fallback. */
        OFFLINE
    }

    /** Where a connector's mode comes from. */
    enum ModeOrigin {
        /** The charger's (or the site's) default in the balancer's configuration. */
        CONFIGURATION,
        /** The charger's default set at run time ({@link BalancerModes#setChargerDefault}). */
        CHARGER,
        /** Set for this session (or, without one, for the next). */
        SESSION
    }

    /** Amps per site phase. */
    record PhaseCurrents(double l1, double l2, double l3) {
    }

    /**
     * The site's figures.
     *
     * @param at when the balancer decided
     * @param enabled whether balancing is on (when off, nothing else is meaningful and no connector is listed)
     * @param gridLimitA the grid connection's limit per phase in use
     * @param gridLimitDefault whether that is the conservative default because the installer has not set one
     * @param safeBudgetA the configured safe budget: the worst-case load of everything but the chargers, per phase
     * @param safeBudgetInUse whether the safe budget is assumed now instead of the grid meter
     * @param budget where the load of everything but the chargers came from, in words, with the reason when
     *               it is the safe budget (for example {@code safe budget: grid meter stale})
     * @param available what the grid leaves to the chargers, per phase
     * @param priceSource where Scheduled sessions' prices come from, in words (the configured tariff, a price
     *                    series and until when, or why a series is not used); since 1.1, null from a provider
     *                    that does not tell
     */
    record Site(Instant at, boolean enabled, double gridLimitA, boolean gridLimitDefault, double safeBudgetA,
                boolean safeBudgetInUse, String budget, PhaseCurrents available, String priceSource) {

        /** Without a price source (1.0). */
        public Site(Instant at, boolean enabled, double gridLimitA, boolean gridLimitDefault, double safeBudgetA,
                    boolean safeBudgetInUse, String budget, PhaseCurrents available) {
            this(at, enabled, gridLimitA, gridLimitDefault, safeBudgetA, safeBudgetInUse, budget, available, null);
        }
    }

    /**
     * One connector.
     *
     * @param chargerId the charge point id
     * @param connectorId the connector, from 1
     * @param transactionId the open transaction, or null
     * @param limitA the limit decided, amps per phase (0 or at least 6)
     * @param reasonKind why, to act on
     * @param reason why, in an installer's words (for example {@code grid L2 full})
     * @param reasonUntil until when the reason holds, if known, else null
     * @param mode the session's mode (or the next session's)
     * @param modeOrigin where the mode comes from
     * @param priority higher is served first: the charger's, or its session's idTag group's when higher
     * @param control whether the charger follows its limits
     * @param departure a Scheduled session's departure, else null
     * @param energyNeededWh a Scheduled session's energy still needed by its departure, else null
     * @param group the idTag group of the session (fleet, premium, ...), else null; since 1.1
     * @param energyTargetWh a Scheduled session's energy target as it was set ({@link BalancerModes.Target}: counted
     *                       from the session's start), given with its departure, else null. Unlike the energy still
     *                       needed it does not fall as the car charges, so changing a target can start from the one
     *                       set; since 1.2, null from a provider that does not tell
     */
    record Connector(String chargerId, int connectorId, Integer transactionId, double limitA, ReasonKind reasonKind,
                     String reason, Instant reasonUntil, ChargingMode mode, ModeOrigin modeOrigin, int priority,
                     Control control, Instant departure, Double energyNeededWh, String group,
                     Double energyTargetWh) {

        /** Without an energy target (1.1). */
        public Connector(String chargerId, int connectorId, Integer transactionId, double limitA,
                         ReasonKind reasonKind, String reason, Instant reasonUntil, ChargingMode mode,
                         ModeOrigin modeOrigin, int priority, Control control, Instant departure,
                         Double energyNeededWh, String group) {
            this(chargerId, connectorId, transactionId, limitA, reasonKind, reason, reasonUntil, mode, modeOrigin,
                    priority, control, departure, energyNeededWh, group, null);
        }

        /** Without a group (1.0). */
        public Connector(String chargerId, int connectorId, Integer transactionId, double limitA,
                         ReasonKind reasonKind, String reason, Instant reasonUntil, ChargingMode mode,
                         ModeOrigin modeOrigin, int priority, Control control, Instant departure,
                         Double energyNeededWh) {
            this(chargerId, connectorId, transactionId, limitA, reasonKind, reason, reasonUntil, mode, modeOrigin,
                    priority, control, departure, energyNeededWh, null, null);
        }

        /** Whether the balancer can count on the charger to follow its limit now. */
        public boolean obeys() {
            return control == Control.FOLLOWS;
        }
    }

    /** The site's figures; empty until the balancer's first run. */
    Optional<Site> site();

    /** Every connector the balancer knows, by charger and connector id; empty while balancing is off. */
    List<Connector> connectors();

    /** One connector, if the balancer knows it. */
    Optional<Connector> connector(String chargerId, int connectorId);
}
