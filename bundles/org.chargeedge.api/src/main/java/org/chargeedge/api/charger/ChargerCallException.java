package org.chargeedge.api.charger;

import java.util.Optional;

/** Why a call to a charger did not produce a confirmation. */
public final class ChargerCallException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Reason {
        /** The charger has no open connection to the gateway. */
        NOT_CONNECTED,
        /** Too many calls are already queued for this charger. */
        QUEUE_FULL,
        /** No answer within the configured call timeout. */
        TIMEOUT,
        /** The charger answered with a CALLERROR. */
        CALL_ERROR,
        /** The charger answered with a CALLRESULT that is not a valid confirmation. */
        INVALID_CONFIRMATION,
        /** The connection closed (or was replaced) before the answer came. */
        CONNECTION_LOST,
        /** The gateway is shutting down. */
        SHUTDOWN
    }

    private final String chargePointId;
    private final Reason reason;
    private final transient String errorCode;

    public ChargerCallException(String chargePointId, Reason reason, String errorCode, String message) {
        super(message);
        this.chargePointId = chargePointId;
        this.reason = reason;
        this.errorCode = errorCode;
    }

    public String chargePointId() {
        return chargePointId;
    }

    public Reason reason() {
        return reason;
    }

    /** The charger's CALLERROR code, exactly as received, when {@link #reason()} is CALL_ERROR. */
    public Optional<String> errorCode() {
        return Optional.ofNullable(errorCode);
    }
}
