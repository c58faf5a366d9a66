package org.chargeedge.api.management;

/**
 * A management request that was refused, with a message an operator can act
 * on. The reason says which kind of refusal it is, so an HTTP layer can map
 * it to a status without reading the message.
 */
public class ManagementException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why a request was refused. */
    public enum Reason {
        /** The request itself is wrong: a malformed hash, an unknown key, a value metatype rejects (HTTP 400). */
        INVALID,
        /** No such job, configuration or snapshot (HTTP 404). */
        NOT_FOUND,
        /** Another job is running; try again when it has ended (HTTP 409). */
        BUSY,
        /**
         * Well-formed but not allowed: a downgrade without the flag, a bundle
         * that may not be updated by a job, a download that failed its hash
         * (HTTP 422).
         */
        REFUSED,
        /** The service is stopping or a part it needs is missing (HTTP 503). */
        UNAVAILABLE
    }

    private final Reason reason;

    public ManagementException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public ManagementException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
