package org.chargeedge.upstream.internal;

import java.io.UncheckedIOException;
import java.util.OptionalInt;

import org.chargeedge.ocpp.rpc.OcppJsonCodec;
import org.chargeedge.ocpp.rpc.RpcFrame;
import org.chargeedge.ocpp.v16.Request;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * JSON payloads as they travel: queued as the charger sent them, with only their transactionId
 * fields rewritten on the way through the link. Working on the JSON tree keeps everything else,
 * original timestamps included, exactly as it was.
 */
final class Payloads {

    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final OcppJsonCodec CODEC = new OcppJsonCodec();

    private Payloads() {
    }

    /** The payload of a typed request, as the codec writes it (validated). */
    static ObjectNode of(Request<?> request) {
        try {
            RpcFrame frame = CODEC.parse(CODEC.encodeCall("x", request));
            return (ObjectNode) ((RpcFrame.Call) frame).payload();
        } catch (org.chargeedge.ocpp.rpc.FrameException e) {
            throw new IllegalStateException("the codec's own frame does not parse", e);
        }
    }

    static ObjectNode parse(String json) {
        try {
            return (ObjectNode) MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(JsonNode node) {
        return node.toString();
    }

    static OptionalInt transactionId(JsonNode payload) {
        JsonNode id = payload.get("transactionId");
        return id != null && id.isInt() ? OptionalInt.of(id.intValue()) : OptionalInt.empty();
    }

    /** A copy of {@code payload} with its top-level transactionId replaced. */
    static ObjectNode withTransactionId(JsonNode payload, int transactionId) {
        ObjectNode copy = ((ObjectNode) payload).deepCopy();
        copy.put("transactionId", transactionId);
        return copy;
    }

    /** {@code [2, id, action, payload]}. */
    static String call(String messageId, String action, JsonNode payload) {
        ArrayNode frame = MAPPER.createArrayNode();
        frame.add(2).add(messageId).add(action).add(payload);
        return frame.toString();
    }

    /** {@code [3, id, payload]}. */
    static String callResult(String messageId, JsonNode payload) {
        ArrayNode frame = MAPPER.createArrayNode();
        frame.add(3).add(messageId).add(payload);
        return frame.toString();
    }

    static OcppJsonCodec codec() {
        return CODEC;
    }
}
