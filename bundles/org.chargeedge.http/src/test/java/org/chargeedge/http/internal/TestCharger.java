package org.chargeedge.http.internal;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.java_websocket.client.WebSocketClient;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.handshake.ServerHandshake;
import org.java_websocket.protocols.IProtocol;
import org.java_websocket.protocols.Protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;

/**
 * A charger for the tests, speaking OCPP-J 1.6 over a real WebSocket: it sends
 * calls and waits for their results, and answers the central system's calls
 * with the payload a test set for the action ({"status": "Accepted"} unless
 * told otherwise), keeping each call it received.
 */
final class TestCharger implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    /** Answers by action; written by the test thread, read by the socket's thread. */
    final Map<String, String> answers = new ConcurrentHashMap<>();
    final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
    private final WebSocketClient socket;

    TestCharger(String url) throws Exception {
        socket = new WebSocketClient(URI.create(url), new Draft_6455(List.of(), List.<IProtocol>of(
                new Protocol("ocpp1.6")))) {
            @Override
            public void onOpen(ServerHandshake handshake) {
            }

            @Override
            public void onMessage(String message) {
                try {
                    JsonNode frame = JSON.readTree(message);
                    if (frame.get(0).intValue() == 3) {
                        CompletableFuture<JsonNode> f = pending.remove(frame.get(1).textValue());
                        if (f != null) {
                            f.complete(frame.get(2));
                        }
                    } else if (frame.get(0).intValue() == 4) {
                        CompletableFuture<JsonNode> f = pending.remove(frame.get(1).textValue());
                        if (f != null) {
                            f.completeExceptionally(new IllegalStateException(message));
                        }
                    } else if (frame.get(0).intValue() == 2) {
                        received.add(frame);
                        String answer = answers.getOrDefault(frame.get(2).textValue(), "{\"status\":\"Accepted\"}");
                        send("[3,\"" + frame.get(1).textValue() + "\"," + answer + "]");
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public void onClose(int code, String reason, boolean remote) {
            }

            @Override
            public void onError(Exception ex) {
            }
        };
        if (!socket.connectBlocking(5, TimeUnit.SECONDS)) {
            throw new IllegalStateException("cannot connect to " + url);
        }
    }

    /** Sends a CALL and waits for its CALLRESULT payload. */
    JsonNode call(String action, String payload) throws Exception {
        String id = UUID.randomUUID().toString();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        ArrayNode frame = JSON.createArrayNode().add(2).add(id).add(action);
        frame.add(JSON.readTree(payload));
        socket.send(JSON.writeValueAsString(frame));
        return answer.get(10, TimeUnit.SECONDS);
    }

    /** The next call the central system sent, within 10 s. */
    JsonNode nextReceived() throws InterruptedException {
        JsonNode frame = received.poll(10, TimeUnit.SECONDS);
        if (frame == null) {
            throw new AssertionError("the charger received no call");
        }
        return frame;
    }

    @Override
    public void close() throws InterruptedException {
        socket.closeBlocking();
    }
}
