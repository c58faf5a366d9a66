package org.chargeedge.balancer.core;

import java.util.Locale;

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
 * @param kind which of the two
 * @param reserveW battery-first: the charging power kept for the battery, W (may be infinite); ignored by ev-first
 */
public record BatteryPolicy(Kind kind, double reserveW) {

    /** Battery first, with all of its charging power kept for it. */
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
        if (kind == null || Double.isNaN(reserveW) || reserveW < 0) {
            throw new IllegalArgumentException("invalid battery policy " + kind + " " + reserveW);
        }
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
}
