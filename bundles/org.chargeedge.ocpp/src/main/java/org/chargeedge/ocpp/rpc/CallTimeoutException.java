package org.chargeedge.ocpp.rpc;

import java.time.Duration;

/**
 * No answer within the call's timeout, counted from when the call was made.
 * {@link #sent()} tells whether the CALL had gone out: a call that expires
 * while it still waits behind an earlier one is never sent, so the peer never
 * saw it; one that was sent may still be carried out by the peer.
 */
public final class CallTimeoutException extends CallFailedException {
    private static final long serialVersionUID = 1L;

    private final Duration timeout;
    private final boolean sent;

    public CallTimeoutException(String messageId, String action, Duration timeout, boolean sent) {
        super(messageId, action, sent
                ? "no answer to " + action + " within " + timeout.toMillis() + " ms"
                : action + " not sent within " + timeout.toMillis() + " ms: an earlier call was still unanswered",
                null);
        this.timeout = timeout;
        this.sent = sent;
    }

    public Duration timeout() {
        return timeout;
    }

    /** True when the CALL had been sent to the peer before it expired. */
    public boolean sent() {
        return sent;
    }
}
