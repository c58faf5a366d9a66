package org.chargeedge.balancer.core;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.chargeedge.balancer.core.SiteSnapshot.ConnectorRef;
import org.chargeedge.balancer.core.SiteSnapshot.PhaseAmps;

/**
 * The result of one run of the core.
 *
 * @param at the snapshot's instant
 * @param limits one per connector of the snapshot, in its order
 * @param budget where the load of everything but the chargers came from, for installers
 * @param available what the grid connection leaves to the chargers, per phase (A)
 * @param next the state to pass in the next snapshot
 */
public record Allocation(Instant at, List<ConnectorLimit> limits, String budget, PhaseAmps available,
                         BalancerState next) {

    public Allocation {
        limits = List.copyOf(limits);
    }

    public Optional<ConnectorLimit> limit(ConnectorRef ref) {
        return limits.stream().filter(l -> l.ref().equals(ref)).findFirst();
    }

    /**
     * One connector's limit.
     *
     * @param ref which connector
     * @param limitA amps per phase, 0 or at least 6, one decimal
     * @param sitePhases the site phases its car is counted on
     * @param countedA what is counted on each of those phases (the limit, or more for a charger that
     *                 does not follow it)
     * @param reason why
     * @param numberPhases the phases to charge on, for a charger that switches (1 or 3); 0 for one that does not
     *                     (since 1.1)
     */
    public record ConnectorLimit(ConnectorRef ref, double limitA, Set<Phase> sitePhases, double countedA,
                                 Reason reason, int numberPhases) {
        public ConnectorLimit {
            sitePhases = Set.copyOf(sitePhases);
        }

        /** On a charger that does not switch phases. */
        public ConnectorLimit(ConnectorRef ref, double limitA, Set<Phase> sitePhases, double countedA,
                              Reason reason) {
            this(ref, limitA, sitePhases, countedA, reason, 0);
        }
    }

    /** Why a connector got its limit: a kind to act on, a text an installer reads, and until when if known. */
    public record Reason(Kind kind, String text, Instant until) {
        @Override
        public String toString() {
            return text;
        }
    }

    /** The kinds of reasons. */
    public enum Kind {
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
        /** Paused so that others get their turn, or because it is held off for its minimum off time. */
        ROTATION,
        /** Paused: no room on a phase or circuit. */
        NO_ROOM,
        /** Scheduled: waiting for a cheaper window, or its target is reached. */
        SCHEDULED_WAITING,
        /** The charger does not follow its limit (or is offline) and is counted at what it may draw. */
        COUNTED_AS_DRAWN
    }
}
