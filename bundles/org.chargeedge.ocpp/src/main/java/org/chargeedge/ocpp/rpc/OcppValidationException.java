package org.chargeedge.ocpp.rpc;

/**
 * A payload that does not conform to the OCPP 1.6 message definition. The
 * error code says which kind of violation (OccurenceConstraintViolation for a
 * missing required field, TypeConstraintViolation for a wrong JSON type,
 * PropertyConstraintViolation for a value out of range, an unknown enumeration
 * value or a string too long, FormationViolation for a payload that is not a
 * JSON object); the message names the field, e.g. {@code "idTagInfo.status"}.
 * A date-time that cannot be read is a TypeConstraintViolation: dateTime is an
 * OCPP data type, like integer.
 */
public final class OcppValidationException extends Exception {
    private static final long serialVersionUID = 1L;

    private final ErrorCode errorCode;
    private final String field;

    public OcppValidationException(ErrorCode errorCode, String field, String description) {
        super(description);
        this.errorCode = errorCode;
        this.field = field;
    }

    public ErrorCode errorCode() {
        return errorCode;
    }

    /** The dotted path of the offending field, or the empty string for the whole payload. */
    public String field() {
        return field;
    }
}
