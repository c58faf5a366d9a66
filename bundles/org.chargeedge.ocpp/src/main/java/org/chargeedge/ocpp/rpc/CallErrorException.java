package org.chargeedge.ocpp.rpc;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The peer answered the CALL with a CALLERROR. The code is kept as received:
 * a peer may send one OCPP-J does not define ({@link ErrorCode#byName} tells).
 */
public final class CallErrorException extends CallFailedException {
    private static final long serialVersionUID = 1L;

    private final String errorCode;
    private final String errorDescription;
    private final transient JsonNode errorDetails;

    public CallErrorException(String messageId, String action, String errorCode, String errorDescription,
                              JsonNode errorDetails) {
        super(messageId, action, action + " answered with CALLERROR " + errorCode
                + (errorDescription == null || errorDescription.isEmpty() ? "" : ": " + errorDescription), null);
        this.errorCode = errorCode;
        this.errorDescription = errorDescription;
        this.errorDetails = errorDetails;
    }

    /** The error code exactly as the peer sent it. */
    public String errorCode() {
        return errorCode;
    }

    public String errorDescription() {
        return errorDescription;
    }

    /** The peer's errorDetails; {@code {}} when it sent none. */
    public JsonNode errorDetails() {
        return errorDetails;
    }
}
