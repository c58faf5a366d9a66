package org.chargeedge.balancer.core;

import java.time.Duration;
import java.time.Instant;

/**
 * 1/3-phase switching for PV and Min+PV sessions on chargers that can switch (OCPP 1.6
 * {@code ConnectorSwitch3to1PhaseSupported}; the phases go in a TxProfile's {@code numberPhases}).
 *
 * <p>A car on 3 phases needs 3 x 6 A before it charges on surplus alone; on 1 phase, 6 A. When the surplus a
 * session can have (the site's surplus minus 6 A on the phases of every other PV and Min+PV session) stays below
 * 3 x 6 A, the energy of the shortfall accumulates; at {@code switchWh} the session goes to 1 phase. On 1 phase the
 * energy above 3 x 6 A plus {@code marginW} accumulates; at {@code switchWh} it goes back to 3. Both accounts are
 * clamped to [0, {@code switchWh}], so a passing cloud or a short gap costs nothing. No switch comes sooner than
 * {@code hold} after the last one (the first one of a session may come at once). A session in another mode goes
 * back to 3 phases once the hold allows.
 *
 * @param enabled whether sessions are switched at all
 * @param switchWh the energy that must accumulate before a switch, Wh
 * @param hold the least time between two switches of a session
 * @param marginW what the surplus must exceed 3 x 6 A by to count towards going back to 3 phases, W
 */
public record PhaseSwitching(boolean enabled, double switchWh, Duration hold, double marginW) {

    /** On; 100 Wh; 5 minutes between switches; 1 A on each of 3 phases at 230 V as the margin. */
    public static final PhaseSwitching DEFAULT = new PhaseSwitching(true, 100, Duration.ofMinutes(5), 690);

    public PhaseSwitching {
        if (!(switchWh >= 0) || hold == null || hold.isNegative() || !(marginW >= 0)) {
            throw new IllegalArgumentException("invalid phase switching settings");
        }
    }

    /**
     * A session's phases after one step: the phases, since when (the last switch; null: none in this session) and
     * the energy account.
     */
    public record Step(int phases, Instant since, double wh) {
    }

    /**
     * One step of the hysteresis.
     *
     * @param before the session's phases, last switch and account so far
     * @param pvMode whether the session is in PV or Min+PV mode
     * @param shareW the surplus this session could have, W
     * @param hours the time since the previous step, h
     * @param now this step's instant
     * @param voltage phase-to-neutral voltage
     */
    public Step next(Step before, boolean pvMode, double shareW, double hours, Instant now, double voltage) {
        boolean held = before.since() != null && now.isBefore(before.since().plus(hold));
        double need3 = 3 * Balancer.MIN_CURRENT_A * voltage;
        if (before.phases() != 1) {
            if (!pvMode) {
                return new Step(3, before.since(), 0);
            }
            double wh = clamp(before.wh() + (need3 - shareW) * hours);
            if (shareW < need3 && wh >= switchWh && !held) {
                return new Step(1, now, 0);
            }
            return new Step(3, before.since(), wh);
        }
        if (!pvMode) {
            return held ? new Step(1, before.since(), 0) : new Step(3, now, 0);
        }
        double wh = clamp(before.wh() + (shareW - need3 - marginW) * hours);
        if (shareW >= need3 + marginW && wh >= switchWh && !held) {
            return new Step(3, now, 0);
        }
        return new Step(1, before.since(), wh);
    }

    private double clamp(double wh) {
        return Math.max(0, Math.min(switchWh, wh));
    }
}
