package org.chargeedge.api.energy;

/**
 * Whether a value may be used now, and if not, why. Only {@link #FRESH} is a
 * value; every other state means unknown, never zero.
 *
 * @since 1.2
 */
public enum Freshness {
    /** Measured within its timeout: usable. */
    FRESH,
    /**
     * A value is held but its age is unknown (replayed from a retained
     * message, not yet confirmed by the source): treat as unknown.
     */
    AGE_UNKNOWN,
    /** The last value is older than its timeout: the source went quiet. */
    STALE,
    /** Never measured, or the source said it is unavailable now (an invalid flag, a null value). */
    MISSING
}
