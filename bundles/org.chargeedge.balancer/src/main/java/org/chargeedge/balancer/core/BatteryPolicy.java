package org.chargeedge.balancer.core;

import java.util.Locale;
import java.util.OptionalDouble;

/**
 * How a house battery shares PV surplus with PV and Min+PV sessions. Signs as the energy model's: battery power
 * positive is charging, negative discharging.
 *
 * <p>Discharge is never surplus, under either policy: the power the battery gives is taken off the surplus, so
 * cars never run on the house battery (a battery that holds the grid at zero would otherwise cover the cars and
 * the grid meter would still show surplus).
 *
 * <ul>
 * <li>{@link Kind#BATTERY_FIRST}: the battery keeps its charging power up to {@code reserveW}; only what it
 * charges above that counts as surplus for cars (with an infinite reserve, cars get only what the battery does not
 * take: export once it is full or at its own limit).</li>
 * <li>{@link Kind#EV_FIRST}: all of the battery's charging power counts as surplus for cars (the battery charges
 * from what the cars leave).</li>
 * </ul>
 *
 * <p>What the battery charges is not what it could charge: a battery that holds the grid at zero charges with what
 * the cars leave, so once PV or Min+PV cars draw, battery-first alone only keeps what the battery happens to charge
 * (a cloud lowers it, and the cars keep what they draw when the sun comes back). With {@code maxChargeW} known, a
 * battery below full charging less than it keeps ({@code min(reserveW, maxChargeW)}) has spare charging power
 * ({@link #spareW}), which is taken off the surplus as well: the cars yield it, the battery takes it, and the cars
 * get what is left once it charges at that power. From {@code fullSocPercent} on it counts as full: a battery
 * tapers its charging as it fills, and power held back for it there would be exported instead.
 *
 * @param kind which of the two
 * @param reserveW battery-first: the charging power kept for the battery, W (may be infinite); ignored by ev-first
 * @param maxChargeW battery-first: the most the battery charges with, W; empty when unknown (then only what it
 *        charges now is kept for it) (since 1.2)
 * @param fullSocPercent battery-first with {@code maxChargeW}: the state of charge, %, from which the battery counts
 *        as full and none of its charging power is held back (since 1.2)
 */
public record BatteryPolicy(Kind kind, double reserveW, OptionalDouble maxChargeW, double fullSocPercent) {

    /**
     * The state of charge a battery counts as full from when none is configured, %: batteries taper their charging
     * over the last few percent (a charging power held back for a battery that no longer takes it is exported), so
     * the threshold sits where tapering commonly starts rather than at 100.
     */
    public static final double DEFAULT_FULL_SOC_PERCENT = 95;

    /** Battery first, with all of its charging power kept for it, its maximum unknown. */
    public static final BatteryPolicy DEFAULT = new BatteryPolicy(Kind.BATTERY_FIRST, Double.POSITIVE_INFINITY);

    /** The two policies. */
    public enum Kind {
        BATTERY_FIRST, EV_FIRST;

        /** {@code battery-first} or {@code ev-first}, case not minded. */
        public static Kind parse(String text) {
            return switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "battery-first" -> BATTERY_FIRST;
                case "ev-first" -> EV_FIRST;
                default -> throw new IllegalArgumentException("battery policy '" + text
                        + "' is neither battery-first nor ev-first");
            };
        }
    }

    public BatteryPolicy {
        if (kind == null || Double.isNaN(reserveW) || reserveW < 0 || maxChargeW == null
                || (maxChargeW.isPresent() && !(maxChargeW.getAsDouble() > 0
                && maxChargeW.getAsDouble() < Double.POSITIVE_INFINITY))
                || !(fullSocPercent > 0 && fullSocPercent <= 100)) {
            throw new IllegalArgumentException("invalid battery policy " + kind + " " + reserveW + " " + maxChargeW
                    + " " + fullSocPercent);
        }
    }

    /** A policy whose battery's maximum charging power is unknown. */
    public BatteryPolicy(Kind kind, double reserveW) {
        this(kind, reserveW, OptionalDouble.empty(), DEFAULT_FULL_SOC_PERCENT);
    }

    /** The same policy with the battery's maximum charging power (empty: unknown) and its full state of charge. */
    public BatteryPolicy withMaxCharge(OptionalDouble maxW, double fullSoc) {
        return new BatteryPolicy(kind, reserveW, maxW, fullSoc);
    }

    /** Whether {@link #spareW} can be anything but 0: battery-first with the battery's maximum known. */
    public boolean holdsSpare() {
        return kind == Kind.BATTERY_FIRST && maxChargeW.isPresent();
    }

    /**
     * What the battery adds to (charging it gives up) or takes from (discharge) the surplus, W.
     *
     * @param batteryW the battery's power, positive charging
     */
    public double surplusShareW(double batteryW) {
        if (batteryW <= 0) {
            return batteryW;
        }
        return kind == Kind.EV_FIRST ? batteryW : Math.max(0, batteryW - reserveW);
    }

    /**
     * Battery-first with the battery's maximum known and its state of charge below full: the charging power, W, it
     * could still take of what it keeps ({@code min(reserveW, maxChargeW)}) above what it charges now; held back
     * from the cars on top of {@link #surplusShareW}, so that the cars get PV less the building less what the
     * battery keeps, whatever it charges now. An idle or discharging battery could take all it keeps (its discharge
     * is taken off by {@link #surplusShareW} already). 0 under ev-first, with the maximum unknown, and from
     * {@code fullSocPercent} on.
     *
     * @param batteryW the battery's power, positive charging
     * @param socPercent its state of charge, %
     */
    public double spareW(double batteryW, double socPercent) {
        if (!holdsSpare() || !(socPercent < fullSocPercent)) {
            return 0;
        }
        return Math.max(0, Math.min(reserveW, maxChargeW.getAsDouble()) - Math.max(0, batteryW));
    }
}
