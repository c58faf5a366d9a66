package org.chargeedge.ocpp.rpc;

/**
 * Thrown when this gateway tries to send a message that violates OCPP 1.6. It
 * is a bug in our code: the message is never sent.
 */
public final class InvalidOutgoingMessageException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidOutgoingMessageException(String message, Throwable cause) {
        super(message, cause);
    }

    public InvalidOutgoingMessageException(String message) {
        super(message);
    }

    /**
     * The rule that was broken, with its error code and field path, when the
     * payload was invalid (rather than the message id or the payload type).
     */
    public java.util.Optional<OcppValidationException> violation() {
        return getCause() instanceof OcppValidationException v ? java.util.Optional.of(v) : java.util.Optional.empty();
    }
}
