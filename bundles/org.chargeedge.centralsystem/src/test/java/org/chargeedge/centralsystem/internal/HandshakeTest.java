package org.chargeedge.centralsystem.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.URI;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.chargeedge.api.charger.ChargerInfo;
import org.chargeedge.ocpp.v16.GetLocalListVersionConfirmation;
import org.chargeedge.ocpp.v16.GetLocalListVersionRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which WebSocket handshakes the gateway accepts, and what a second connection with one id does. */
class HandshakeTest {

    @TempDir
    Path dataDir;
    private CentralSystemHarness harness;

    @AfterEach
    void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    private URI uri(String path) {
        return URI.create("ws://127.0.0.1:" + harness.port() + path);
    }

    /** The HTTP status of a refused handshake. */
    private int refusedStatus(String path, String... subprotocols) throws Exception {
        Throwable t = catchThrowable(() -> RawCharger.attempt(uri(path), RawCharger.listener(), subprotocols)
                .get(5, TimeUnit.SECONDS));
        assertThat(t).as("handshake to %s must be refused", path).isInstanceOf(ExecutionException.class);
        assertThat(t.getCause()).isInstanceOf(WebSocketHandshakeException.class);
        return ((WebSocketHandshakeException) t.getCause()).getResponse().statusCode();
    }

    private void assertAccepted(String path) throws Exception {
        RawCharger probe = RawCharger.listener();
        var ws = RawCharger.attempt(uri(path), probe, "ocpp1.6").get(5, TimeUnit.SECONDS);
        assertThat(ws.getSubprotocol()).isEqualTo("ocpp1.6");
        ws.sendClose(1000, "").get(5, TimeUnit.SECONDS);
    }

    @Test
    void handshakeWithoutOcpp16IsRefused() throws Exception {
        harness = new CentralSystemHarness(dataDir);
        assertThat(refusedStatus("/ocpp/CP-1")).isEqualTo(404);
        assertThat(refusedStatus("/ocpp/CP-1", "ocpp2.0.1")).isEqualTo(404);
        assertThat(refusedStatus("/ocpp/CP-1", "ocpp1.5", "OCPP1.6")).isEqualTo(404);
        assertThat(harness.centralSystem.chargers()).isEmpty();
        // listed with the other refusals (site view, API, dashboard), once per address and reason
        assertThat(harness.access().recentRefusals()).anySatisfy(r -> {
            assertThat(r.remoteAddress()).isEqualTo("127.0.0.1");
            assertThat(r.reason()).startsWith("handshake refused with 404: path /ocpp/CP-1, offered subprotocols ''")
                    .endsWith("subprotocol ocpp1.6 not offered");
            assertThat(r.count()).isEqualTo(1);
        });
        assertThat(harness.access().recentRefusals()).filteredOn(r -> r.reason().contains("not offered"))
                .hasSize(3);
    }

    @Test
    void ocpp16AmongOtherSubprotocolsIsNegotiated() throws Exception {
        harness = new CentralSystemHarness(dataDir);
        RawCharger probe = RawCharger.listener();
        var ws = RawCharger.attempt(uri("/ocpp/CP-1"), probe, "ocpp2.0.1", "ocpp1.6").get(5, TimeUnit.SECONDS);
        assertThat(ws.getSubprotocol()).isEqualTo("ocpp1.6");
        ws.sendClose(1000, "").get(5, TimeUnit.SECONDS);
    }

    @Test
    void onlyConfiguredIdsMayConnectWhenChargePointIdsIsSet() throws Exception {
        harness = new CentralSystemHarness(dataDir, Map.of("chargePointIds", "CP-A, CP-B",
                "unknownChargers", UnknownChargers.Wait));
        assertThat(refusedStatus("/ocpp/CP-C", "ocpp1.6")).isEqualTo(404);
        assertThat(refusedStatus("/ocpp/cp-a", "ocpp1.6")).isEqualTo(404);
        assertAccepted("/ocpp/CP-A");
        assertAccepted("/ocpp/CP-B");
        Await.until("CP-A and CP-B seen", () -> harness.centralSystem.chargers().size() == 2);
        assertThat(harness.centralSystem.chargers()).extracting(ChargerInfo::chargePointId)
                .containsExactly("CP-A", "CP-B");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/ocpp/",                   // empty id
        "/ocpp",                    // no id, not even the slash
        "/ocpp/a%20b",              // percent-encoding
        "/ocpp/a:b",                // not an unreserved character
        "/ocpp/CP-1/extra",         // a slash in the id
        "/ocpp/%C3%A9",             // encoded non-ASCII
        "/other/CP-1",              // outside the prefix
        "/",                        // root
        "/ocppCP-1",                // prefix without its slash
    })
    void invalidPathsAreRefused(String path) throws Exception {
        harness = new CentralSystemHarness(dataDir);
        assertThat(refusedStatus(path, "ocpp1.6")).isEqualTo(404);
        assertThat(harness.centralSystem.chargers()).isEmpty();
    }

    @Test
    void idLengthIsLimitedByMaxChargePointIdLength() throws Exception {
        harness = new CentralSystemHarness(dataDir);
        assertThat(refusedStatus("/ocpp/" + "a".repeat(49), "ocpp1.6")).isEqualTo(404);
        assertAccepted("/ocpp/" + "a".repeat(48));
    }

    @Test
    void unreservedCharactersAndAQueryAreAccepted() throws Exception {
        harness = new CentralSystemHarness(dataDir);
        assertAccepted("/ocpp/Aa0-._~?token=1");
        Await.until("id seen without the query", () -> harness.centralSystem.charger("Aa0-._~").isPresent());
    }

    @Test
    void secondConnectionThatAuthenticatesReplacesTheFirst() throws Exception {
        String key = "0123456789ABCDEF0123";
        harness = new CentralSystemHarness(dataDir, Map.of("chargerProfiles", "CP-TWICE=1",
                "chargerKeyHashes", "CP-TWICE=" + new Passwords().hash(key)));
        try (RawCharger first = RawCharger.connect(harness, "CP-TWICE", key);
             RawCharger second = RawCharger.connect(harness, "CP-TWICE", key)) {
            assertThat(first.awaitClose()).as("first connection closed normally").isEqualTo(1000);
            second.assertHeartbeatAnswered();

            CompletionStage<GetLocalListVersionConfirmation> stage = harness.centralSystem.call("CP-TWICE",
                    new GetLocalListVersionRequest());
            JsonNode call = second.next();
            assertThat(call.get(2).asText()).isEqualTo("GetLocalListVersion");
            second.answer(call, "{\"listVersion\":7}");
            assertThat(Await.result(stage).listVersion()).isEqualTo(7);

            // The close of the replaced connection must not mark the charger disconnected.
            assertThat(harness.centralSystem.charger("CP-TWICE").orElseThrow().connected()).isTrue();
        }
    }
}
