package org.chargeedge.ocpp.rpc;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One OCPP-J message as it appears on the wire, before its payload is decoded:
 * {@code [2, id, action, payload]}, {@code [3, id, payload]} or
 * {@code [4, id, errorCode, description, details]}.
 */
public sealed interface RpcFrame {

    /** The longest message id OCPP-J 1.6 allows. */
    int MAX_MESSAGE_ID_LENGTH = 36;

    String messageId();

    /** MessageTypeId 2. */
    record Call(String messageId, String action, JsonNode payload) implements RpcFrame {}

    /** MessageTypeId 3. */
    record CallResult(String messageId, JsonNode payload) implements RpcFrame {}

    /**
     * MessageTypeId 4. {@code errorCode} is kept as received: a peer may send a
     * code OCPP-J does not define, which is reported, not rejected.
     */
    record CallError(String messageId, String errorCode, String errorDescription, JsonNode errorDetails)
            implements RpcFrame {}
}
