package org.chargeedge.ocpp.rpc;

import static org.chargeedge.ocpp.rpc.ErrorCode.FormationViolation;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.chargeedge.ocpp.internal.Json;
import org.chargeedge.ocpp.internal.Schema;
import org.chargeedge.ocpp.internal.Violation;
import org.chargeedge.ocpp.v16.Action;
import org.chargeedge.ocpp.v16.Confirmation;
import org.chargeedge.ocpp.v16.Request;

/**
 * Encodes and decodes OCPP-J 1.6 frames and payloads. Thread-safe and
 * stateless: one shared instance serves every connection (all instances share
 * one Jackson mapper and one table of message types built at class loading).
 *
 * <h2>Frames</h2>
 * OCPP-J 1.6 (section 4) defines CALL {@code [2, id, action, payload]},
 * CALLRESULT {@code [3, id, payload]} and CALLERROR
 * {@code [4, id, errorCode, errorDescription, errorDetails]}, a message id of
 * at most 36 characters, and a CALLERROR only as the answer to a CALL: it
 * never answers a CALLRESULT or a CALLERROR, and it defines no error code for
 * a broken frame or an unknown MessageTypeId (OCPP 2.0.1 added
 * RpcFrameworkError and MessageTypeNotSupported for that). So {@link #parse}
 * decides as follows, and {@link FrameException#answerable()} says whether the
 * caller should send a CALLERROR:
 * <ul>
 * <li>text that is not JSON, not a JSON array, an empty array, or an array
 * whose second element is not a string: no id to answer, not answerable (drop
 * and log). Broken JSON after a readable id is not answerable either, but the
 * id is in the exception for the log;</li>
 * <li>a readable id and a MessageTypeId of 2 (a CALL) or an unknown one (not
 * the integer 2, 3 or 4): answerable with <b>FormationViolation</b> when the
 * element count or an element type is wrong, the id is longer than 36
 * characters (the answer echoes the id as received so the peer can match it),
 * the type is unknown, or the nesting is deeper than
 * 64 levels;</li>
 * <li>the same faults in a CALLRESULT or CALLERROR: FormationViolation, never
 * answerable; the id is in the exception so the caller can fail the pending
 * call.</li>
 * </ul>
 * A CALLERROR with a code OCPP-J 1.6 does not define is accepted (the code is
 * kept as text), as is one without the fifth element (errorDetails is then
 * {@code {}}). Unknown actions are not judged here: a CALL with any action
 * string parses, the caller answers NotImplemented.
 *
 * <h2>Payloads</h2>
 * Decoding checks every field (see {@link OcppValidationException} for the
 * error codes, with the field path in the message); a payload that is not a
 * JSON object is a FormationViolation; unknown fields are ignored; an optional
 * field that is JSON {@code null} counts as absent. Encoding checks the same
 * rules and throws {@link InvalidOutgoingMessageException} without producing
 * any text; absent optional fields are omitted.
 */
public final class OcppJsonCodec {

    private static final int CALL = 2;
    private static final int CALL_RESULT = 3;
    private static final int CALL_ERROR = 4;
    /** OCPP-J 1.6 sets no limit; OCPP 2.0.1 allows 255 characters, which old firmware also copes with. */
    private static final int MAX_ERROR_DESCRIPTION = 255;

    public OcppJsonCodec() {
    }

    /**
     * Parses one text frame into its RPC parts; the payload is not validated here.
     *
     * @throws FrameException when the text is not a well-formed OCPP-J frame; see
     *         the class description for when it is answerable
     */
    public RpcFrame parse(String text) throws FrameException {
        if (text == null) {
            throw new FrameException(null, false, FormationViolation, "frame is null");
        }
        JsonNode type = null;
        String id = null;
        try (JsonParser p = Json.MAPPER.createParser(text)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new FrameException(null, false, FormationViolation, "frame is not a JSON array: " + Violation.quote(text));
            }
            if (p.nextToken() == JsonToken.END_ARRAY) {
                throw new FrameException(null, false, FormationViolation, "frame is an empty JSON array");
            }
            type = element(p);
            JsonToken token = p.nextToken();
            if (token != JsonToken.VALUE_STRING) {
                String what = token == JsonToken.END_ARRAY ? "missing" : "not a string but " + Violation.show(element(p));
                throw new FrameException(null, false, FormationViolation, "message id is " + what);
            }
            id = p.getText();
            List<JsonNode> rest = new ArrayList<>(3);
            while (p.nextToken() != JsonToken.END_ARRAY) {
                rest.add(element(p));
            }
            if (p.nextToken() != null) {
                throw new FrameException(id, false, FormationViolation, "frame has content after the closing ']'");
            }
            return frame(type, id, rest);
        } catch (StreamConstraintsException e) {
            throw new FrameException(id, answerableType(type), FormationViolation,
                    "frame exceeds a parser limit: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new FrameException(id, false, FormationViolation, "frame is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen when reading a String
        }
    }

    private static JsonNode element(JsonParser p) throws IOException {
        JsonNode node = Json.MAPPER.readTree(p);
        return node == null ? NullNode.getInstance() : node;
    }

    /** 2 (CALL) or anything that is not 3 or 4. */
    private static boolean answerableType(JsonNode type) {
        int t = messageTypeId(type);
        return type != null && t != CALL_RESULT && t != CALL_ERROR;
    }

    private static int messageTypeId(JsonNode type) {
        return type != null && type.isInt() ? type.intValue() : -1;
    }

    private static RpcFrame frame(JsonNode type, String id, List<JsonNode> rest) throws FrameException {
        int typeId = messageTypeId(type);
        boolean answerable = answerableType(type);
        if (id.length() > RpcFrame.MAX_MESSAGE_ID_LENGTH) {
            throw new FrameException(id, answerable, FormationViolation, "message id is " + id.length()
                    + " characters long, OCPP-J allows at most " + RpcFrame.MAX_MESSAGE_ID_LENGTH);
        }
        int elements = rest.size() + 2;
        switch (typeId) {
            case CALL:
                expect(elements == 4, id, answerable, "a CALL has 4 elements, got " + elements);
                expect(rest.get(0).isTextual(), id, answerable, "the action is " + Violation.show(rest.get(0)) + ", not a string");
                return new RpcFrame.Call(id, rest.get(0).textValue(), rest.get(1));
            case CALL_RESULT:
                expect(elements == 3, id, answerable, "a CALLRESULT has 3 elements, got " + elements);
                return new RpcFrame.CallResult(id, rest.get(0));
            case CALL_ERROR:
                expect(elements == 4 || elements == 5, id, answerable, "a CALLERROR has 5 elements, got " + elements);
                expect(rest.get(0).isTextual(), id, answerable, "the error code is " + Violation.show(rest.get(0)) + ", not a string");
                expect(rest.get(1).isTextual(), id, answerable,
                        "the error description is " + Violation.show(rest.get(1)) + ", not a string");
                JsonNode details = elements == 5 ? rest.get(2) : Json.MAPPER.createObjectNode();
                return new RpcFrame.CallError(id, rest.get(0).textValue(), rest.get(1).textValue(), details);
            default:
                throw new FrameException(id, answerable, FormationViolation,
                        "unknown MessageTypeId " + Violation.show(type) + " (OCPP-J 1.6 knows 2, 3 and 4)");
        }
    }

    private static void expect(boolean ok, String id, boolean answerable, String problem) throws FrameException {
        if (!ok) {
            throw new FrameException(id, answerable, FormationViolation, problem);
        }
    }

    /** Decodes and validates the payload of a CALL for {@code action}. */
    public Request<?> decodeRequest(Action action, JsonNode payload) throws OcppValidationException {
        return decode(action.requestType(), action.name() + ".req", payload);
    }

    /** Decodes and validates the payload of a CALLRESULT answering {@code action}. */
    public Confirmation decodeConfirmation(Action action, JsonNode payload) throws OcppValidationException {
        return decode(action.confirmationType(), action.name() + ".conf", payload);
    }

    private static <T> T decode(Class<T> type, String what, JsonNode payload) throws OcppValidationException {
        if (payload == null || !payload.isObject()) {
            throw new OcppValidationException(FormationViolation, "",
                    what + ": payload is " + Violation.show(payload) + ", not a JSON object");
        }
        try {
            return Schema.read(type, payload);
        } catch (Violation v) {
            throw v.toException(what);
        }
    }

    /** {@code [2, messageId, action, payload]}; validates first, throws InvalidOutgoingMessageException. */
    public String encodeCall(String messageId, Request<?> request) {
        if (request == null) {
            throw new InvalidOutgoingMessageException("CALL without a request");
        }
        return encode(CALL, messageId, request.action(), request, request.action().requestType(), ".req");
    }

    /** {@code [3, messageId, payload]}; validates first, throws InvalidOutgoingMessageException. */
    public String encodeCallResult(String messageId, Confirmation confirmation) {
        if (confirmation == null) {
            throw new InvalidOutgoingMessageException("CALLRESULT without a confirmation");
        }
        return encode(CALL_RESULT, messageId, null, confirmation, confirmation.action().confirmationType(), ".conf");
    }

    private static String encode(int typeId, String messageId, Action action, Object message, Class<?> expected,
                                 String suffix) {
        Action of = action != null ? action : ((Confirmation) message).action();
        String what = of.name() + suffix;
        if (messageId == null || messageId.length() > RpcFrame.MAX_MESSAGE_ID_LENGTH) {
            throw new InvalidOutgoingMessageException(what + ": message id " + (messageId == null ? "is null"
                    : Violation.quote(messageId) + " is longer than " + RpcFrame.MAX_MESSAGE_ID_LENGTH + " characters"));
        }
        if (message.getClass() != expected) {
            throw new InvalidOutgoingMessageException(what + ": a " + message.getClass().getName()
                    + " is not the payload type " + expected.getSimpleName());
        }
        StringWriter text = new StringWriter(128);
        try (JsonGenerator out = Json.MAPPER.createGenerator(text)) {
            out.writeStartArray();
            out.writeNumber(typeId);
            out.writeString(messageId);
            if (action != null) {
                out.writeString(action.name());
            }
            Schema.write(out, message);
            out.writeEndArray();
        } catch (Violation v) {
            OcppValidationException cause = v.toException(what);
            throw new InvalidOutgoingMessageException("refusing to send invalid " + cause.getMessage(), cause);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen when writing to a StringWriter
        }
        return text.toString();
    }

    /**
     * {@code [4, messageId, errorCode, description, {}]}. The message id is
     * echoed as given up to 36 characters; a longer one (the answer to a CALL
     * whose id was too long) is cut to its first 36, so a peer cannot make the
     * gateway echo a huge id back. A null description is sent as {@code ""}, a
     * longer one is cut to 255 characters.
     */
    public String encodeCallError(String messageId, ErrorCode errorCode, String description) {
        if (messageId == null || errorCode == null) {
            throw new InvalidOutgoingMessageException("CALLERROR needs a message id and an error code, got "
                    + messageId + ", " + errorCode);
        }
        String text = description == null ? "" : description;
        String id = messageId.length() > RpcFrame.MAX_MESSAGE_ID_LENGTH
                ? messageId.substring(0, RpcFrame.MAX_MESSAGE_ID_LENGTH) : messageId;
        if (text.length() > MAX_ERROR_DESCRIPTION) {
            text = text.substring(0, MAX_ERROR_DESCRIPTION - 3) + "...";
        }
        StringWriter out = new StringWriter(64 + text.length());
        try (JsonGenerator g = Json.MAPPER.createGenerator(out)) {
            g.writeStartArray();
            g.writeNumber(CALL_ERROR);
            g.writeString(id);
            g.writeString(errorCode.name());
            g.writeString(text);
            g.writeStartObject();
            g.writeEndObject();
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
