package org.chargeedge.balancer.core;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * How a charger is wired: the site phase its L1, L2 and L3 terminals are on.
 * Installers rotate phases so that 1-phase cars spread over the site's phases.
 */
public record PhaseRotation(Phase l1, Phase l2, Phase l3) {

    public static final PhaseRotation NONE = new PhaseRotation(Phase.L1, Phase.L2, Phase.L3);

    public PhaseRotation {
        Objects.requireNonNull(l1, "l1");
        Objects.requireNonNull(l2, "l2");
        Objects.requireNonNull(l3, "l3");
        if (EnumSet.of(l1, l2, l3).size() != 3) {
            throw new IllegalArgumentException("phase rotation " + l1 + l2 + l3 + " names a site phase twice");
        }
    }

    /** Parses {@code L2L3L1}: the charger's L1 on the site's L2, and so on. */
    public static PhaseRotation parse(String text) {
        String t = text.trim().toUpperCase();
        if (t.length() != 6) {
            throw new IllegalArgumentException("phase rotation '" + text + "' is not like L2L3L1");
        }
        return new PhaseRotation(Phase.valueOf(t.substring(0, 2)), Phase.valueOf(t.substring(2, 4)),
                Phase.valueOf(t.substring(4, 6)));
    }

    /** The site phase a charger phase is wired to. */
    public Phase site(Phase chargerPhase) {
        return switch (chargerPhase) {
            case L1 -> l1;
            case L2 -> l2;
            case L3 -> l3;
        };
    }

    public Set<Phase> site(Set<Phase> chargerPhases) {
        EnumSet<Phase> out = EnumSet.noneOf(Phase.class);
        chargerPhases.forEach(p -> out.add(site(p)));
        return out;
    }

    @Override
    public String toString() {
        return "" + l1 + l2 + l3;
    }
}
