package org.chargeedge.api.balancer;

import java.util.Locale;

/** How a session charges. */
public enum ChargingMode {
    /** As much as the grid, the circuits, the charger and the car allow. */
    FAST("Fast"),
    /** PV surplus only. */
    PV("PV"),
    /** 6 A always, plus PV surplus. */
    MIN_PV("MinPV"),
    /** An energy target by a departure time, in the cheapest tariff windows. */
    SCHEDULED("Scheduled"),
    /** No charging. */
    OFF("Off");

    private final String label;

    ChargingMode(String label) {
        this.label = label;
    }

    /** The installer's spelling: {@code Fast}, {@code PV}, {@code MinPV}, {@code Scheduled}, {@code Off}. */
    public String label() {
        return label;
    }

    /**
     * The mode named by {@code text}, in any case; {@code Min+PV} and {@code MIN_PV} are accepted for MinPV.
     *
     * @throws IllegalArgumentException naming the modes there are
     */
    public static ChargingMode parse(String text) {
        String t = text == null ? "" : text.trim().toUpperCase(Locale.ROOT).replace("+", "").replace("_", "");
        for (ChargingMode m : values()) {
            if (m.label.toUpperCase(Locale.ROOT).equals(t)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown mode '" + text + "' (Fast, PV, MinPV, Scheduled or Off)");
    }
}
