package org.chargeedge.ocpp.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Comparator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.chargeedge.ocpp.v16.Action;
import org.chargeedge.ocpp.v16.Confirmation;
import org.chargeedge.ocpp.v16.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** Every one of the 56 message types: decoded from real-looking traffic and round-tripped. */
class ExamplesTest {

    private static final OcppJsonCodec CODEC = new OcppJsonCodec();

    /** Numbers compare by value (16 equals 16.0), everything else exactly. */
    private static final Comparator<JsonNode> SAME_VALUE = (a, b) -> a.isNumber() && b.isNumber()
            ? Double.compare(a.doubleValue(), b.doubleValue())
            : a.equals(b) ? 0 : 1;

    @Test
    void theExamplesCoverEveryRequestAndConfirmationOnce() {
        assertThat(Examples.FRAMES).hasSize(2 * Action.values().length);
        assertThat(Examples.FRAMES.stream().map(Examples.Frame::toString).collect(Collectors.toSet()))
                .containsExactlyInAnyOrderElementsOf(Stream.of(Action.values())
                        .flatMap(a -> Stream.of(a + ".req", a + ".conf")).toList());
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("org.chargeedge.ocpp.rpc.Examples#FRAMES")
    void decodesAndRoundTrips(Examples.Frame example) throws Exception {
        RpcFrame frame = CODEC.parse(example.text());
        Object decoded;
        String encoded;
        if (example.call()) {
            RpcFrame.Call call = (RpcFrame.Call) frame;
            Request<?> request = CODEC.decodeRequest(example.action(), call.payload());
            assertThat(request).isInstanceOf(example.action().requestType());
            assertThat(request.action()).isEqualTo(example.action());
            decoded = request;
            encoded = CODEC.encodeCall(call.messageId(), request);
            RpcFrame.Call again = (RpcFrame.Call) CODEC.parse(encoded);
            assertThat(again.action()).isEqualTo(example.action().name());
            assertThat(CODEC.decodeRequest(example.action(), again.payload())).isEqualTo(request);
        } else {
            Confirmation confirmation = CODEC.decodeConfirmation(example.action(), ((RpcFrame.CallResult) frame).payload());
            assertThat(confirmation).isInstanceOf(example.action().confirmationType());
            assertThat(confirmation.action()).isEqualTo(example.action());
            decoded = confirmation;
            encoded = CODEC.encodeCallResult(frame.messageId(), confirmation);
            RpcFrame again = CODEC.parse(encoded);
            assertThat(CODEC.decodeConfirmation(example.action(), ((RpcFrame.CallResult) again).payload()))
                    .isEqualTo(confirmation);
        }
        assertThat(decoded.getClass().getSimpleName())
                .isEqualTo(example.action() + (example.call() ? "Request" : "Confirmation"));
        // same wire form: every field name and enumeration spelling survives, nothing is added
        JsonNode original = org.chargeedge.ocpp.internal.Json.MAPPER.readTree(example.text());
        JsonNode reencoded = org.chargeedge.ocpp.internal.Json.MAPPER.readTree(encoded);
        assertThat(reencoded.equals(SAME_VALUE, original))
                .as("%s re-encoded as %s", example.text(), encoded).isTrue();
        assertThat(encoded).doesNotContain("null");
    }
}
