package org.chargeedge.ocpp.rpc;

import java.util.Optional;

/** CALLERROR error codes, spelled exactly as OCPP-J 1.6 spells them. */
public enum ErrorCode {
    /** Requested Action is not known by receiver. */
    NotImplemented,
    /** Requested Action is recognized but not supported by the receiver. */
    NotSupported,
    /** An internal error occurred and the receiver was not able to process the requested Action. */
    InternalError,
    /** Payload for Action is incomplete. */
    ProtocolError,
    /** During the processing of Action a security issue occurred. */
    SecurityError,
    /** Payload for Action is syntactically incorrect or not conform the PDU structure for Action. */
    FormationViolation,
    /** Payload is syntactically correct but at least one field contains an invalid value. */
    PropertyConstraintViolation,
    /** Payload for Action is syntactically correct but at least one of the fields violates occurence constraints. */
    OccurenceConstraintViolation,
    /** Payload for Action is syntactically correct but at least one of the fields violates data type constraints. */
    TypeConstraintViolation,
    /** Any other error not covered by the previous ones. */
    GenericError;

    /** The code with exactly this spelling, if OCPP-J 1.6 defines it. */
    public static Optional<ErrorCode> byName(String name) {
        for (ErrorCode c : values()) {
            if (c.name().equals(name)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
