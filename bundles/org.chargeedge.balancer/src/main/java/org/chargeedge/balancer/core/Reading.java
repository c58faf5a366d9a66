package org.chargeedge.balancer.core;

/**
 * A measured value with what is known of its age. Only a {@link Freshness#FRESH}
 * value is used; anything else is unknown, never zero.
 */
public record Reading(double value, Freshness freshness) {

    /** What is known of a value's age. */
    public enum Freshness {
        /** Measured within its staleness timeout. */
        FRESH,
        /** Measured, but longer ago than its timeout. */
        STALE,
        /** Never measured, invalid, or the source said it is unknown. */
        UNKNOWN,
        /** A value whose time cannot be known (e.g. a retained message): treated as unknown. */
        AGE_UNKNOWN
    }

    public static final Reading UNKNOWN = new Reading(0, Freshness.UNKNOWN);

    public Reading {
        if (freshness == Freshness.FRESH && !Double.isFinite(value)) {
            throw new IllegalArgumentException("fresh value " + value + " is not finite");
        }
    }

    public static Reading fresh(double value) {
        return new Reading(value, Freshness.FRESH);
    }

    public boolean usable() {
        return freshness == Freshness.FRESH;
    }

    /** "stale", "unknown", "of unknown age": for reasons. */
    public String describe() {
        return switch (freshness) {
            case FRESH -> "fresh";
            case STALE -> "stale";
            case UNKNOWN -> "unknown";
            case AGE_UNKNOWN -> "of unknown age";
        };
    }
}
