package org.chargeedge.centralsystem.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Frames a charger may send that are not a valid OCPP-J call, through the
 * JDK's WebSocket client: each is answered with the CALLERROR the codec
 * documents (or dropped when it has no id to answer), and the connection
 * stays usable afterwards.
 */
class RawFrameTest {

    @TempDir
    Path dataDir;
    private CentralSystemHarness harness;
    private RawCharger cp;

    @BeforeEach
    void start() throws Exception {
        harness = new CentralSystemHarness(dataDir, Map.of("maxMessageSize", 2048));
        cp = RawCharger.connectReady(harness, "RAW-1");
        assertThat(cp.subprotocol()).isEqualTo("ocpp1.6");
    }

    @AfterEach
    void stop() {
        if (cp != null) {
            cp.close();
        }
        harness.close();
    }

    /** The heartbeat answer must be the very next frame: the bad frame got no answer. */
    @ParameterizedTest
    @ValueSource(strings = {
        "this is not JSON",
        "{\"not\":\"an array\"}",
        "[]",
        "42",
        "[2]",
        "[2, 17, \"Heartbeat\", {}]",
        "[2, \"unterminated\", \"Heartbeat\", {",
        "[3, \"no-such-call\", {}",
        "[4, \"no-such-call\", \"GenericError\"]"
    })
    void framesWithoutAnAnswerableIdAreDropped(String frame) throws Exception {
        cp.send(frame);
        cp.assertHeartbeatAnswered();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // unknown MessageTypeId with a readable id
        "[5, \"bad-type\", \"Heartbeat\", {}]              | bad-type",
        "[\"2\", \"string-type\", \"Heartbeat\", {}]       | string-type",
        // CALL without the action (3 elements)
        "[2, \"no-action\", {}]                            | no-action",
        // CALL whose action is not a string
        "[2, \"numeric-action\", 7, {}]                    | numeric-action",
        // CALL with too many elements
        "[2, \"five\", \"Heartbeat\", {}, {}]              | five",
    })
    void malformedCallsAreFormationViolations(String frame, String id) throws Exception {
        cp.send(frame);
        JsonNode error = cp.expectCallError(id);
        assertThat(error.get(2).asText()).isEqualTo("FormationViolation");
        cp.assertHeartbeatAnswered();
    }

    @Test
    void callWithAnIdLongerThan36CharactersIsAFormationViolationEchoingItsFirst36() throws Exception {
        String id = "x".repeat(37);
        cp.send("[2,\"" + id + "\",\"Heartbeat\",{}]");
        JsonNode error = cp.expectCallError(id.substring(0, 36));
        assertThat(error.get(2).asText()).isEqualTo("FormationViolation");
        cp.assertHeartbeatAnswered();
    }

    @Test
    void callWithAnIdOfExactly36CharactersIsAnswered() throws Exception {
        String id = "y".repeat(36);
        cp.send("[2,\"" + id + "\",\"Heartbeat\",{}]");
        JsonNode answer = cp.next();
        assertThat(answer.get(0).asInt()).isEqualTo(3);
        assertThat(answer.get(1).asText()).isEqualTo(id);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "\"text\"", "null", "1"})
    void callWhosePayloadIsNotAnObjectIsAFormationViolation(String payload) throws Exception {
        String id = cp.call("Heartbeat", payload);
        assertThat(cp.expectCallError(id).get(2).asText()).isEqualTo("FormationViolation");
        cp.assertHeartbeatAnswered();
    }

    @Test
    void unknownActionIsNotImplemented() throws Exception {
        String id = cp.call("FlyToTheMoon", "{}");
        assertThat(cp.expectCallError(id).get(2).asText()).isEqualTo("NotImplemented");
        // Action names are case-sensitive.
        String lower = cp.call("heartbeat", "{}");
        assertThat(cp.expectCallError(lower).get(2).asText()).isEqualTo("NotImplemented");
        cp.assertHeartbeatAnswered();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "Reset            | {\"type\":\"Hard\"}",
        "RemoteStartTransaction | {\"idTag\":\"T\"}",
        "GetConfiguration | {}",
        "TriggerMessage   | {\"requestedMessage\":\"Heartbeat\"}",
    })
    void centralSystemActionsSentByTheChargerAreNotSupported(String action, String payload) throws Exception {
        String id = cp.call(action, payload);
        assertThat(cp.expectCallError(id).get(2).asText()).isEqualTo("NotSupported");
        cp.assertHeartbeatAnswered();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // wrong JSON types
        "Authorize          | {\"idTag\":5}                                                 | TypeConstraintViolation",
        "Authorize          | {\"idTag\":[\"a\"]}                                           | TypeConstraintViolation",
        "StartTransaction   | {\"connectorId\":\"1\",\"idTag\":\"T\",\"meterStart\":0,\"timestamp\":\"2030-01-01T00:00:00Z\"} | TypeConstraintViolation",
        "StartTransaction   | {\"connectorId\":1,\"idTag\":\"T\",\"meterStart\":0,\"timestamp\":\"yesterday\"} | TypeConstraintViolation",
        "BootNotification   | {\"chargePointVendor\":\"V\",\"chargePointModel\":true}          | TypeConstraintViolation",
        // missing required fields
        "Authorize          | {}                                                            | OccurenceConstraintViolation",
        "BootNotification   | {\"chargePointVendor\":\"V\"}                                   | OccurenceConstraintViolation",
        "StatusNotification | {\"connectorId\":1,\"status\":\"Available\"}                      | OccurenceConstraintViolation",
        "Authorize          | {\"idTag\":null}                                              | OccurenceConstraintViolation",
        "MeterValues        | {\"connectorId\":1,\"meterValue\":[]}                           | OccurenceConstraintViolation",
        // bad enumeration values, out-of-range numbers and too long strings
        "StatusNotification | {\"connectorId\":1,\"errorCode\":\"NoError\",\"status\":\"Flying\"}   | PropertyConstraintViolation",
        "StatusNotification | {\"connectorId\":1,\"errorCode\":\"Oops\",\"status\":\"Available\"}  | PropertyConstraintViolation",
        "StatusNotification | {\"connectorId\":-1,\"errorCode\":\"NoError\",\"status\":\"Available\"} | PropertyConstraintViolation",
        "Authorize          | {\"idTag\":\"123456789012345678901\"}                        | PropertyConstraintViolation",
    })
    void invalidPayloadsGetTheDocumentedErrorCode(String action, String payload, String code) throws Exception {
        String id = cp.call(action, payload);
        JsonNode error = cp.expectCallError(id);
        assertThat(error.get(2).asText()).as("%s %s -> %s", action, payload, error).isEqualTo(code);
        cp.assertHeartbeatAnswered();
    }

    @Test
    void unknownFieldsAreIgnored() throws Exception {
        JsonNode answer = cp.callAndAwait("Authorize", "{\"idTag\":\"T\",\"vendorExtra\":{\"a\":1}}");
        assertThat(answer.get(0).asInt()).isEqualTo(3);
        assertThat(answer.get(2).get("idTagInfo").get("status").asText()).isEqualTo("Accepted");
    }

    @Test
    void callResultOrCallErrorWithAnUnknownIdIsIgnored() throws Exception {
        cp.send("[3,\"never-sent\",{\"status\":\"Accepted\"}]");
        cp.send("[4,\"never-sent-either\",\"GenericError\",\"\",{}]");
        cp.assertHeartbeatAnswered();
        assertThat(harness.centralSystem.charger("RAW-1").orElseThrow().connected()).isTrue();
    }

    @Test
    void oversizedFrameClosesTheConnectionWith1009() throws Exception {
        String data = "a".repeat(3000);
        cp.send("[2,\"big\",\"DataTransfer\",{\"vendorId\":\"v\",\"data\":\"" + data + "\"}]");
        assertThat(cp.awaitClose()).isEqualTo(1009);
        Await.until("RAW-1 disconnected",
                () -> !harness.centralSystem.charger("RAW-1").orElseThrow().connected());
    }

    @Test
    void oversizedMessageInSeveralSmallFramesAlsoClosesWith1009() throws Exception {
        String data = "a".repeat(1500);
        cp.sendFragmented("[2,\"frag\",\"DataTransfer\",{\"vendorId\":\"v\",\"data\":\"", data, data, "\"}]");
        assertThat(cp.awaitClose()).isEqualTo(1009);
    }

    @Test
    void messageInSeveralFramesWithinTheLimitIsAnswered() throws Exception {
        cp.sendFragmented("[2,\"frag-ok\",\"Heart", "beat\",{}]");
        JsonNode answer = cp.next();
        assertThat(answer.get(1).asText()).isEqualTo("frag-ok");
        assertThat(answer.get(0).asInt()).isEqualTo(3);
    }

    @Test
    void frameJustBelowTheLimitIsAccepted() throws Exception {
        String data = "a".repeat(1900);
        JsonNode answer = cp.callAndAwait("DataTransfer", "{\"vendorId\":\"v\",\"data\":\"" + data + "\"}");
        assertThat(answer.get(2).get("status").asText()).isEqualTo("UnknownVendorId");
    }

    @Test
    void binaryFrameClosesTheConnection() throws Exception {
        cp.sendBinary("[2,\"bin\",\"Heartbeat\",{}]".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(cp.awaitClose()).isEqualTo(1003);
    }
}
