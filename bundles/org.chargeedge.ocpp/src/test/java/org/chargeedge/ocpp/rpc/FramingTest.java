package org.chargeedge.ocpp.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import org.chargeedge.ocpp.v16.Action;
import org.chargeedge.ocpp.v16.DataTransferRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** OCPP-J RPC framing: what parses, and which broken frames deserve a CALLERROR. */
class FramingTest {

    private static final OcppJsonCodec CODEC = new OcppJsonCodec();
    private static final String ID36 = "123456789012345678901234567890123456";
    private static final String ID37 = ID36 + "7";

    private static FrameException fails(String text) {
        FrameException e = catchThrowableOfType(FrameException.class, () -> CODEC.parse(text));
        assertThat(e).as("parse(%s)", text).isNotNull();
        assertThat(e.errorCode()).isEqualTo(ErrorCode.FormationViolation);
        return e;
    }

    @Test
    void parsesACall() throws Exception {
        RpcFrame.Call call = (RpcFrame.Call) CODEC.parse("[2, \"19223201\", \"BootNotification\", {\"chargePointVendor\": \"VendorX\"}]");
        assertThat(call.messageId()).isEqualTo("19223201");
        assertThat(call.action()).isEqualTo("BootNotification");
        assertThat(call.payload().get("chargePointVendor").textValue()).isEqualTo("VendorX");
    }

    @Test
    void parsesACallResultAndACallError() throws Exception {
        RpcFrame.CallResult result = (RpcFrame.CallResult) CODEC.parse("[3,\"19223201\",{\"status\":\"Accepted\"}]");
        assertThat(result.messageId()).isEqualTo("19223201");
        assertThat(result.payload().get("status").textValue()).isEqualTo("Accepted");
        RpcFrame.CallError error = (RpcFrame.CallError) CODEC.parse("[4,\"162376037\",\"NotSupported\",\"SetDisplayMessage not implemented\",{\"a\":1}]");
        assertThat(error).isEqualTo(new RpcFrame.CallError("162376037", "NotSupported", "SetDisplayMessage not implemented",
                org.chargeedge.ocpp.internal.Json.MAPPER.createObjectNode().put("a", 1)));
    }

    @Test
    void aCallErrorWithACodeOcppDoesNotDefineIsKeptAsReceived() throws Exception {
        RpcFrame.CallError error = (RpcFrame.CallError) CODEC.parse("[4,\"7\",\"FormatViolation\",\"bad\",{}]");
        assertThat(error.errorCode()).isEqualTo("FormatViolation");
        assertThat(ErrorCode.byName(error.errorCode())).isEmpty();
    }

    @Test
    void aCallErrorWithoutDetailsGetsAnEmptyObject() throws Exception {
        RpcFrame.CallError error = (RpcFrame.CallError) CODEC.parse("[4,\"7\",\"GenericError\",\"\"]");
        assertThat(error.errorDetails().isObject()).isTrue();
        assertThat(error.errorDetails().size()).isZero();
    }

    @Test
    void anUnknownActionParsesForTheCallerToAnswerNotImplemented() throws Exception {
        RpcFrame.Call call = (RpcFrame.Call) CODEC.parse("[2,\"1\",\"SignCertificate\",{}]");
        assertThat(Action.byName(call.action())).isEmpty();
    }

    @Test
    void anIdOf36CharactersIsAccepted() throws Exception {
        assertThat(CODEC.parse("[2,\"" + ID36 + "\",\"Heartbeat\",{}]").messageId()).isEqualTo(ID36);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
        not JSON                  | Hello charger
        broken JSON               | [2,{]
        blank                     | ` `
        not an array              | {"messageTypeId":2}
        a string                  | "[2,\\"1\\",\\"Heartbeat\\",{}]"
        empty array               | []
        no id                     | [2]
        id is a number            | [2,19223201,"Heartbeat",{}]
        id is null                | [2,null,"Heartbeat",{}]
        id is an object           | [3,{"id":"1"},{}]
        """)
    void framesWithoutAReadableIdAreNotAnswerable(String what, String text) {
        FrameException e = fails(text);
        assertThat(e.answerable()).isFalse();
        assertThat(e.messageId()).isEmpty();
    }

    @Test
    void truncatedJsonAfterAReadableIdIsNotAnswerableButKeepsTheIdForTheLog() {
        FrameException e = fails("[2,\"abc\",\"Heartbeat\",{");
        assertThat(e.answerable()).isFalse();
        assertThat(e.messageId()).contains("abc");
        assertThat(e.getMessage()).startsWith("frame is not valid JSON");
    }

    @Test
    void contentAfterTheFrameIsRejected() {
        FrameException e = fails("[3,\"abc\",{}][3,\"abd\",{}]");
        assertThat(e.answerable()).isFalse();
        assertThat(e.getMessage()).contains("after the closing");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
        CALL with 3 elements         | [2,"abc","Heartbeat"]                    | true  | a CALL has 4 elements, got 3
        CALL with 5 elements         | [2,"abc","Heartbeat",{},{}]              | true  | a CALL has 4 elements, got 5
        CALL action not a string     | [2,"abc",17,{}]                          | true  | the action is the number 17, not a string
        unknown MessageTypeId 5      | [5,"abc",{}]                             | true  | unknown MessageTypeId the number 5
        MessageTypeId as a string    | ["2","abc","Heartbeat",{}]               | true  | unknown MessageTypeId the string "2"
        MessageTypeId 2.0            | [2.0,"abc","Heartbeat",{}]               | true  | unknown MessageTypeId
        CALLRESULT with 2 elements   | [3,"abc"]                                | false | a CALLRESULT has 3 elements, got 2
        CALLRESULT with 4 elements   | [3,"abc",{},{}]                          | false | a CALLRESULT has 3 elements, got 4
        CALLERROR with 3 elements    | [4,"abc","GenericError"]                 | false | a CALLERROR has 5 elements, got 3
        CALLERROR with 6 elements    | [4,"abc","GenericError","",{},1]         | false | a CALLERROR has 5 elements, got 6
        CALLERROR code not a string  | [4,"abc",404,"",{}]                      | false | the error code is the number 404, not a string
        CALLERROR text not a string  | [4,"abc","GenericError",{},{}]           | false | the error description is an object, not a string
        """)
    void framesWithAReadableIdAreAnswerableOnlyWhenTheyLookLikeACallOrAreOfUnknownType(
            String what, String text, boolean answerable, String message) {
        FrameException e = fails(text);
        assertThat(e.answerable()).isEqualTo(answerable);
        assertThat(e.messageId()).contains("abc");
        assertThat(e.getMessage()).startsWith(message);
    }

    @ParameterizedTest
    @CsvSource({"2,true", "3,false", "4,false", "9,true"})
    void anIdLongerThan36IsAnsweredOnlyForACallOrAnUnknownType(int type, boolean answerable) {
        String rest = switch (type) {
            case 2 -> ",\"Heartbeat\",{}";
            case 4 -> ",\"GenericError\",\"\",{}";
            default -> ",{}";
        };
        FrameException e = fails("[" + type + ",\"" + ID37 + "\"" + rest + "]");
        assertThat(e.answerable()).isEqualTo(answerable);
        assertThat(e.messageId()).contains(ID37);
        assertThat(e.getMessage()).isEqualTo("message id is 37 characters long, OCPP-J allows at most 36");
    }

    @Test
    void aHugeNestedPayloadInACallIsRefusedAndAnswerable() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        FrameException e = fails("[2,\"deep\",\"DataTransfer\",{\"vendorId\":\"x\",\"data\":" + deep + "}]");
        assertThat(e.answerable()).isTrue();
        assertThat(e.messageId()).contains("deep");
        assertThat(e.getMessage()).contains("nesting depth").contains("64");
    }

    @Test
    void aHugeNestedPayloadInACallResultIsRefusedAndNotAnswerable() {
        String deep = "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000);
        FrameException e = fails("[3,\"deep\"," + deep + "]");
        assertThat(e.answerable()).isFalse();
        assertThat(e.messageId()).contains("deep");
    }

    @Test
    void aHugeFlatPayloadIsFine() throws Exception {
        String data = "x".repeat(1_000_000);
        RpcFrame.Call call = (RpcFrame.Call) CODEC.parse("[2,\"big\",\"DataTransfer\",{\"vendorId\":\"x\",\"data\":\"" + data + "\"}]");
        assertThat(((DataTransferRequest) CODEC.decodeRequest(Action.DataTransfer, call.payload())).data()).hasSize(1_000_000);
    }

    @Test
    void aNullFrameIsNotAnswerable() {
        assertThat(fails(null).answerable()).isFalse();
    }

    @Test
    void aCallWhosePayloadIsNotAnObjectParsesAndFailsToDecode() throws Exception {
        RpcFrame.Call call = (RpcFrame.Call) CODEC.parse("[2,\"1\",\"Heartbeat\",[]]");
        JsonNode payload = call.payload();
        assertThat(catchThrowableOfType(OcppValidationException.class, () -> CODEC.decodeRequest(Action.Heartbeat, payload))
                .errorCode()).isEqualTo(ErrorCode.FormationViolation);
    }

    // ---- CALLERROR out

    @Test
    void encodesACallError() {
        assertThat(CODEC.encodeCallError("abc", ErrorCode.OccurenceConstraintViolation, "BootNotification.req chargePointModel: \"x\""))
                .isEqualTo("[4,\"abc\",\"OccurenceConstraintViolation\",\"BootNotification.req chargePointModel: \\\"x\\\"\",{}]");
        assertThat(CODEC.encodeCallError("abc", ErrorCode.NotImplemented, null))
                .isEqualTo("[4,\"abc\",\"NotImplemented\",\"\",{}]");
    }

    @Test
    void aCallErrorCutsAnOverlongIdTo36AndCutsALongDescription() {
        String frame = CODEC.encodeCallError(ID37, ErrorCode.FormationViolation, "d".repeat(1000));
        assertThat(frame).isEqualTo("[4,\"" + ID36 + "\",\"FormationViolation\",\"" + "d".repeat(252) + "...\",{}]");
        String huge = CODEC.encodeCallError("i".repeat(250_000), ErrorCode.FormationViolation, "too long");
        assertThat(huge).hasSizeLessThan(100).contains("\"" + "i".repeat(36) + "\"");
    }

    @Test
    void aCallErrorNeedsAnIdAndACode() {
        assertThat(catchThrowableOfType(InvalidOutgoingMessageException.class,
                () -> CODEC.encodeCallError(null, ErrorCode.GenericError, "x"))).isNotNull();
        assertThat(catchThrowableOfType(InvalidOutgoingMessageException.class,
                () -> CODEC.encodeCallError("1", null, "x"))).isNotNull();
    }
}
