package org.chargeedge.ocpp.rpc;

/**
 * Why a CALL sent through an {@link OcppEndpoint} produced no CALLRESULT. The
 * subclasses of this package are the only kinds: {@link CallErrorException},
 * {@link CallTimeoutException}, {@link EndpointClosedException},
 * {@link CallQueueFullException} and {@link MalformedAnswerException}.
 */
public abstract class CallFailedException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String messageId;
    private final String action;

    // Package-private: the set of kinds is fixed, so owners can map each one.
    CallFailedException(String messageId, String action, String message, Throwable cause) {
        super(message, cause);
        this.messageId = messageId;
        this.action = action;
    }

    /** The message id of the failed CALL. */
    public String messageId() {
        return messageId;
    }

    /** The action of the failed CALL, as given to {@link OcppEndpoint#call}. */
    public String action() {
        return action;
    }
}
