package org.chargeedge.api.charger;

import org.chargeedge.ocpp.rpc.ErrorCode;

/**
 * Thrown by (or completes the stage of) a {@link ChargerCallHandler} that
 * refuses a call: the charger gets a CALLERROR with this code and description.
 */
public final class CallRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode errorCode;

    public CallRejectedException(ErrorCode errorCode, String description) {
        super(description);
        this.errorCode = errorCode;
    }

    public ErrorCode errorCode() {
        return errorCode;
    }
}
