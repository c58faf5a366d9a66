package org.chargeedge.ocpp.rpc;

import java.util.Optional;

/**
 * A text frame that is not a well-formed OCPP-J message. When the message id
 * could be read (and the frame was a CALL, or of an unknown MessageTypeId), the
 * receiver answers with a
 * CALLERROR carrying {@link #errorCode()}; otherwise OCPP-J prescribes no
 * answer and the frame is dropped and logged.
 */
public final class FrameException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient String messageId;
    private final ErrorCode errorCode;
    private final boolean answerable;

    public FrameException(String messageId, boolean answerable, ErrorCode errorCode, String description) {
        super(description);
        this.messageId = messageId;
        this.answerable = answerable && messageId != null;
        this.errorCode = errorCode;
    }

    /** The message id, when one could be read from the frame. */
    public Optional<String> messageId() {
        return Optional.ofNullable(messageId);
    }

    /** True when the frame should be answered with a CALLERROR for {@link #messageId()}. */
    public boolean answerable() {
        return answerable;
    }

    public ErrorCode errorCode() {
        return errorCode;
    }
}
