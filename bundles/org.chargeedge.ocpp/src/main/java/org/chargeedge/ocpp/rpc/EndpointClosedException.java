package org.chargeedge.ocpp.rpc;

/**
 * The endpoint was closed before the answer came, or was already closed when
 * the call was made.
 */
public final class EndpointClosedException extends CallFailedException {
    private static final long serialVersionUID = 1L;

    private final String reason;
    private final boolean sent;

    public EndpointClosedException(String messageId, String action, String reason, boolean sent) {
        super(messageId, action, action + (sent ? " got no answer: " : " not sent: ") + reason, null);
        this.reason = reason;
        this.sent = sent;
    }

    /** The reason given to {@link OcppEndpoint#close}. */
    public String reason() {
        return reason;
    }

    /** True when the CALL had been sent: the peer may have carried it out. */
    public boolean sent() {
        return sent;
    }
}
