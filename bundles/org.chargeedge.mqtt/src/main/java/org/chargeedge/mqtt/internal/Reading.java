package org.chargeedge.mqtt.internal;

/**
 * What one payload says about one value: a number, that the value is unknown
 * now, that the payload is garbage (also unknown), or nothing at all (a
 * partial update that does not carry the field).
 */
record Reading(Kind kind, double value) {

    enum Kind { VALUE, UNKNOWN, INVALID, ABSENT }

    static final Reading UNKNOWN = new Reading(Kind.UNKNOWN, Double.NaN);
    static final Reading INVALID = new Reading(Kind.INVALID, Double.NaN);
    static final Reading ABSENT = new Reading(Kind.ABSENT, Double.NaN);

    static Reading of(double value) {
        return Double.isFinite(value) ? new Reading(Kind.VALUE, value) : UNKNOWN;
    }

    /** Plain number text; the states home automation uses for "no value" are unknown, anything else unreadable is invalid. */
    static Reading parseText(String text) {
        String s = text.strip();
        if (s.isEmpty()) {
            return UNKNOWN;
        }
        switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "unavailable", "unknown", "null", "none", "nan", "n/a", "-", "--":
                return UNKNOWN;
            default:
                break;
        }
        try {
            return of(Double.parseDouble(s));
        } catch (NumberFormatException e) {
            return INVALID;
        }
    }
}
