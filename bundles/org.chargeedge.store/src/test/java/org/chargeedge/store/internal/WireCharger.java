package org.chargeedge.store.internal;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A charger speaking raw OCPP-J 1.6 through the JDK's WebSocket client: each CALL gets a stage that
 * completes with the answer frame carrying its message id.
 */
final class WireCharger implements WebSocket.Listener, AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Answers awaited by message id; the sending thread adds, the client's reading thread removes. */
    private final Map<String, CompletableFuture<JsonNode>> awaited = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong();
    // Only the client's reading thread appends: it delivers one part of a message at a time.
    private final StringBuilder message = new StringBuilder();
    private final String chargePointId;
    private WebSocket socket;

    private WireCharger(String chargePointId) {
        this.chargePointId = chargePointId;
    }

    static WireCharger connect(String url) throws Exception {
        WireCharger charger = new WireCharger(url.substring(url.lastIndexOf('/') + 1));
        charger.socket = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("ocpp1.6")
                .buildAsync(URI.create(url), charger).get(10, TimeUnit.SECONDS);
        return charger;
    }

    /** Sends {@code [2, id, action, payload]}; the stage completes with the answer frame. */
    CompletableFuture<JsonNode> call(String action, String payloadJson) {
        String id = chargePointId + "-" + nextId.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        awaited.put(id, answer);
        socket.sendText("[2,\"" + id + "\",\"" + action + "\"," + payloadJson + "]", true);
        return answer;
    }

    /** The answer's payload; fails the test when it is not a CALLRESULT. */
    JsonNode result(String action, String payloadJson) throws Exception {
        JsonNode frame = call(action, payloadJson).get(10, TimeUnit.SECONDS);
        if (frame.get(0).asInt() != 3) {
            throw new AssertionError(action + " answered with " + frame);
        }
        return frame.get(2);
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        message.append(data);
        if (last) {
            try {
                JsonNode frame = JSON.readTree(message.toString());
                CompletableFuture<JsonNode> answer = awaited.remove(frame.get(1).asText());
                if (answer != null) {
                    answer.complete(frame);
                }
            } catch (Exception e) {
                awaited.values().forEach(a -> a.completeExceptionally(e));
            }
            message.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public void close() {
        socket.abort();
    }
}
