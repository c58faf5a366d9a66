package org.chargeedge.centralsystem.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A charger that speaks raw OCPP-J text frames through the JDK's own WebSocket
 * client (not the server's library), for frame-level tests.
 */
final class RawCharger implements WebSocket.Listener, AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration WAIT = Duration.ofSeconds(5);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final String chargePointId;
    private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    /** Completes with the close status code the server sent (or the client sent, when it closed first). */
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private final AtomicInteger nextId = new AtomicInteger();
    private volatile WebSocket ws;

    private RawCharger(String chargePointId) {
        this.chargePointId = chargePointId;
    }

    /** Opens a connection offering only ocpp1.6; fails if the handshake fails. */
    static RawCharger connect(CentralSystemHarness harness, String chargePointId) throws Exception {
        RawCharger charger = new RawCharger(chargePointId);
        charger.ws = attempt(URI.create(harness.url(chargePointId)), charger, "ocpp1.6")
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        return charger;
    }

    /** Opens a connection with HTTP Basic credentials (user: the charge point id). */
    static RawCharger connect(CentralSystemHarness harness, String chargePointId, String password) throws Exception {
        RawCharger charger = new RawCharger(chargePointId);
        charger.ws = attemptWith(URI.create(harness.url(chargePointId)), charger, basic(chargePointId, password),
                "ocpp1.6").get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        charger.assertHeartbeatAnswered();
        return charger;
    }

    /**
     * Opens a connection to {@code uri} through {@code http} (a client with its own TLS context, for
     * wss://), with {@code authorization} as the Authorization header (null: none); waits up to
     * {@code timeout} for the handshake and fails if it is refused.
     */
    static RawCharger connect(HttpClient http, URI uri, String chargePointId, String authorization,
                              Duration timeout) throws Exception {
        RawCharger charger = new RawCharger(chargePointId);
        charger.ws = attemptWith(http, timeout, uri, charger, authorization, "ocpp1.6")
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return charger;
    }

    /** The Authorization header of HTTP Basic. */
    static String basic(String user, String password) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Like {@link #connect} and then waits until the gateway answers a Heartbeat, so the session is registered. */
    static RawCharger connectReady(CentralSystemHarness harness, String chargePointId) throws Exception {
        RawCharger charger = connect(harness, chargePointId);
        charger.assertHeartbeatAnswered();
        return charger;
    }

    /** A handshake attempt; {@code subprotocols} may be empty (none offered). */
    static CompletableFuture<WebSocket> attempt(URI uri, WebSocket.Listener listener, String... subprotocols) {
        return attemptWith(uri, listener, null, subprotocols);
    }

    /** A handshake attempt with an Authorization header (null: none). */
    static CompletableFuture<WebSocket> attemptWith(URI uri, WebSocket.Listener listener, String authorization,
                                                    String... subprotocols) {
        return attemptWith(HTTP, uri, listener, authorization, subprotocols);
    }

    /** A handshake attempt through {@code http}, with an Authorization header (null: none). */
    static CompletableFuture<WebSocket> attemptWith(HttpClient http, URI uri, WebSocket.Listener listener,
                                                    String authorization, String... subprotocols) {
        return attemptWith(http, WAIT, uri, listener, authorization, subprotocols);
    }

    /** The same, the opening handshake allowed {@code timeout}. */
    static CompletableFuture<WebSocket> attemptWith(HttpClient http, Duration timeout, URI uri,
                                                    WebSocket.Listener listener, String authorization,
                                                    String... subprotocols) {
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(timeout);
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        if (subprotocols.length > 0) {
            String[] rest = new String[subprotocols.length - 1];
            System.arraycopy(subprotocols, 1, rest, 0, rest.length);
            builder.subprotocols(subprotocols[0], rest);
        }
        return builder.buildAsync(uri, listener);
    }

    static RawCharger listener() {
        return new RawCharger("?");
    }

    String subprotocol() {
        return ws.getSubprotocol();
    }

    // ---- WebSocket.Listener -------------------------------------------------------------

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        synchronized (partial) {
            partial.append(data);
            if (last) {
                frames.add(partial.toString());
                partial.setLength(0);
            }
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.completeExceptionally(error);
    }

    // ---- sending ----------------------------------------------------------------------------

    void send(String text) throws Exception {
        ws.sendText(text, true).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Sends {@code parts} as one text message in several WebSocket frames. */
    void sendFragmented(String... parts) throws Exception {
        for (int i = 0; i < parts.length; i++) {
            ws.sendText(parts[i], i == parts.length - 1).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    void sendBinary(byte[] bytes) throws Exception {
        ws.sendBinary(ByteBuffer.wrap(bytes), true).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Sends {@code [2, id, action, payload]} with a fresh id and returns the id. */
    String call(String action, String payloadJson) throws Exception {
        String id = chargePointId + "-" + nextId.incrementAndGet();
        send("[2,\"" + id + "\",\"" + action + "\"," + payloadJson + "]");
        return id;
    }

    /** Sends a CALL and returns the gateway's answer frame, which must carry the CALL's id. */
    JsonNode callAndAwait(String action, String payloadJson) throws Exception {
        String id = call(action, payloadJson);
        JsonNode answer = next();
        assertThat(answer.get(1).asText()).as("answer to %s %s", action, id).isEqualTo(id);
        return answer;
    }

    /** Answers a CALL frame received from the gateway with a CALLRESULT. */
    void answer(JsonNode call, String payloadJson) throws Exception {
        send("[3,\"" + call.get(1).asText() + "\"," + payloadJson + "]");
    }

    /** Proves the connection is usable: a Heartbeat gets its CALLRESULT. */
    void assertHeartbeatAnswered() throws Exception {
        JsonNode answer = callAndAwait("Heartbeat", "{}");
        assertThat(answer.get(0).asInt()).as("Heartbeat answer %s", answer).isEqualTo(3);
        assertThat(answer.get(2).get("currentTime").asText()).isNotEmpty();
    }

    // ---- receiving --------------------------------------------------------------------------

    JsonNode next() throws Exception {
        return next(WAIT);
    }

    JsonNode next(Duration timeout) throws Exception {
        String text = frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(text).as("%s: a frame within %s", chargePointId, timeout).isNotNull();
        return JSON.readTree(text);
    }

    /** A negative check: no frame arrives within {@code window}. */
    void assertNothingWithin(Duration window) throws Exception {
        String text = frames.poll(window.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(text).as("%s: no frame expected", chargePointId).isNull();
    }

    /** Waits for a CALLERROR answering {@code id} and returns it. */
    JsonNode expectCallError(String id) throws Exception {
        JsonNode frame = next();
        assertThat(frame.get(0).asInt()).as("CALLERROR expected, got %s", frame).isEqualTo(4);
        assertThat(frame.get(1).asText()).isEqualTo(id);
        assertThat(frame).hasSize(5);
        assertThat(frame.get(4).isObject()).isTrue();
        return frame;
    }

    int awaitClose() throws Exception {
        return closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Drops the TCP connection without a close handshake. */
    void abort() {
        ws.abort();
    }

    @Override
    public void close() {
        WebSocket socket = ws;
        if (socket != null && !socket.isOutputClosed()) {
            try {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "test done").get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                socket.abort();
            }
        }
    }
}
