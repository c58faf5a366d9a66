package org.chargeedge.api.balancer;

/** Why the balancer did not take a mode. */
public class ModeRefusedException extends Exception {

    private static final long serialVersionUID = 1L;

    /** The kinds of refusal. */
    public enum Reason {
        /** No charger with that id has been seen. */
        UNKNOWN_CHARGER,
        /** The charger has no such connector. */
        UNKNOWN_CONNECTOR,
        /** The balancer does not take this mode here now (for example balancing is off). */
        REFUSED
    }

    private final Reason reason;

    public ModeRefusedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
