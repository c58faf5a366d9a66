package org.chargeedge.balancer.core;

import java.time.Instant;
import java.util.Map;
import java.util.OptionalDouble;

import org.chargeedge.balancer.core.SiteSnapshot.ConnectorRef;

/**
 * What the core remembers between two allocations, returned with every
 * {@link Allocation} and passed back in the next snapshot, so rotation,
 * minimum on and off times and PV hysteresis are functions of (previous state, snapshot).
 *
 * @param at when it was computed; null before the first allocation
 * @param connectors per connector with a session
 * @param pvStartWh surplus energy accumulated towards starting one more PV-mode car
 * @param pvStopWh grid energy accumulated towards stopping one PV-mode car
 */
public record BalancerState(Instant at, Map<ConnectorRef, Memory> connectors, double pvStartWh, double pvStopWh) {

    public static final BalancerState INITIAL = new BalancerState(null, Map.of(), 0, 0);

    public BalancerState {
        connectors = Map.copyOf(connectors);
    }

    /**
     * @param session the session this memory belongs to (a new session starts afresh)
     * @param on whether the connector had a limit above 0
     * @param since since when it has been on (or off)
     * @param limitA the limit it got
     * @param learntCarMaxA what the car was seen to take at most, if it took less than offered
     * @param wasOn whether it was on at some time in this session (the minimum off time applies only then)
     * @param phases the phases the session was given on a charger that switches (1 or 3; 3 otherwise) (since 1.1)
     * @param phasesSince when it was last switched, null if never in this session (since 1.1)
     * @param phaseWh the phase switching account, Wh (see {@link PhaseSwitching}) (since 1.1)
     * @param carPhases on how many phases the car was seen drawing while all of its charger's 3 were offered: 1 to
     *                  3; 0 until seen (since 1.2)
     */
    public record Memory(String session, boolean on, Instant since, double limitA, OptionalDouble learntCarMaxA,
                         boolean wasOn, int phases, Instant phasesSince, double phaseWh, int carPhases) {

        /** The car's phases not seen (the record of 1.1). */
        public Memory(String session, boolean on, Instant since, double limitA, OptionalDouble learntCarMaxA,
                      boolean wasOn, int phases, Instant phasesSince, double phaseWh) {
            this(session, on, since, limitA, learntCarMaxA, wasOn, phases, phasesSince, phaseWh, 0);
        }

        /** On 3 phases, never switched. */
        public Memory(String session, boolean on, Instant since, double limitA, OptionalDouble learntCarMaxA,
                      boolean wasOn) {
            this(session, on, since, limitA, learntCarMaxA, wasOn, 3, null, 0);
        }

        /** Whether it was switched off less than {@code minOff} ago. */
        public boolean heldOff(Instant now, java.time.Duration minOff) {
            return !on && wasOn && since.plus(minOff).isAfter(now);
        }
    }
}
