package org.chargeedge.ocpp.rpc;

/**
 * The peer answered the CALL with a frame that is not well-formed OCPP-J (for
 * example a CALLRESULT without its payload). The call fails at once rather
 * than at its timeout; the {@link FrameException} is the cause.
 */
public final class MalformedAnswerException extends CallFailedException {
    private static final long serialVersionUID = 1L;

    public MalformedAnswerException(String messageId, String action, FrameException problem) {
        super(messageId, action, action + " answered with a malformed frame: " + problem.getMessage(), problem);
    }

    /** What is wrong with the answer frame. */
    public FrameException problem() {
        return (FrameException) getCause();
    }
}
