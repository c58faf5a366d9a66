package org.chargeedge.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A charger for tests: the JDK's WebSocket client speaking raw OCPP-J 1.6
 * frames. It records every frame and the close, so a test can tell whether
 * the gateway closed the connection. Like a charger without smart charging,
 * it answers the load balancer's GetConfiguration (no keys) and
 * SetChargingProfile (NotSupported) by itself; those calls are kept apart in
 * {@link #balancerCalls()} and never returned by {@link #awaitCall()}.
 */
public final class OcppTestClient implements WebSocket.Listener, AutoCloseable {

    public static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(10);

    /** Code and reason of the close frame the gateway sent (or 1006 when the connection broke). */
    public record Close(int code, String reason) {
    }

    private final String chargePointId;
    private final BlockingQueue<JsonNode> results = new LinkedBlockingQueue<>();
    private final BlockingQueue<JsonNode> calls = new LinkedBlockingQueue<>();
    private final BlockingQueue<JsonNode> balancerCalls = new LinkedBlockingQueue<>();
    private final CompletableFuture<Close> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket socket;

    private OcppTestClient(String chargePointId) {
        this.chargePointId = chargePointId;
    }

    public static OcppTestClient connect(int port, String chargePointId) throws Exception {
        OcppTestClient client = new OcppTestClient(chargePointId);
        client.socket = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
                .newWebSocketBuilder()
                .subprotocols("ocpp1.6")
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ocpp/" + chargePointId), client)
                .get(10, TimeUnit.SECONDS);
        return client;
    }

    public String chargePointId() {
        return chargePointId;
    }

    public String subprotocol() {
        return socket.getSubprotocol();
    }

    public CompletableFuture<Close> closed() {
        return closed;
    }

    /** Sends a CALL and returns the CALLRESULT or CALLERROR frame answering it. */
    public JsonNode call(String action, ObjectNode payload) throws Exception {
        String id = UUID.randomUUID().toString();
        ArrayNode frame = JSON.createArrayNode().add(2).add(id).add(action);
        frame.add(payload);
        send(frame);
        long deadline = System.nanoTime() + ANSWER_TIMEOUT.toNanos();
        while (true) {
            // In short slices: an answer cannot come once the connection closed, so the caller learns at once.
            boolean wasClosed = closed.isDone();
            JsonNode answer = results.poll(Math.min(deadline - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(50)),
                    TimeUnit.NANOSECONDS);
            if (answer == null && !wasClosed && System.nanoTime() < deadline) {
                continue;
            }
            if (answer == null) {
                throw new AssertionError(chargePointId + ": no answer to " + action + " within " + ANSWER_TIMEOUT
                        + (closed.isDone() ? "; connection closed: " + closed.getNow(null) : ""));
            }
            if (answer.get(1).asText().equals(id)) {
                return answer;
            }
        }
    }

    /** Sends a CALL and returns the payload of its CALLRESULT; fails on a CALLERROR. */
    public JsonNode callResult(String action, ObjectNode payload) throws Exception {
        JsonNode answer = call(action, payload);
        if (answer.get(0).asInt() != 3) {
            throw new AssertionError(chargePointId + ": " + action + " answered with " + answer);
        }
        return answer.get(2);
    }

    /** The next CALL the gateway sent to this charger. */
    public JsonNode awaitCall() throws InterruptedException {
        JsonNode call = calls.poll(ANSWER_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (call == null) {
            throw new AssertionError(chargePointId + ": no CALL from the gateway within " + ANSWER_TIMEOUT);
        }
        return call;
    }

    public void sendResult(String messageId, ObjectNode payload) throws Exception {
        ArrayNode frame = JSON.createArrayNode().add(3).add(messageId);
        frame.add(payload);
        send(frame);
    }

    public void sendError(String messageId, String code, String description) throws Exception {
        ArrayNode frame = JSON.createArrayNode().add(4).add(messageId).add(code).add(description);
        frame.add(JSON.createObjectNode());
        send(frame);
    }

    /** Synchronized: the JDK's WebSocket takes one send at a time, and answers go out from another thread. */
    private synchronized void send(JsonNode frame) throws Exception {
        try {
            socket.sendText(JSON.writeValueAsString(frame), true).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(chargePointId + ": cannot send " + frame
                    + (closed.isDone() ? "; connection closed: " + closed.getNow(null) : ""), e);
        }
    }

    public JsonNode boot(String vendor, String model, String firmware) throws Exception {
        ObjectNode p = JSON.createObjectNode().put("chargePointVendor", vendor).put("chargePointModel", model)
                .put("chargePointSerialNumber", "SN-" + chargePointId);
        if (firmware != null) {
            p.put("firmwareVersion", firmware);
        }
        return callResult("BootNotification", p);
    }

    public JsonNode heartbeat() throws Exception {
        return callResult("Heartbeat", JSON.createObjectNode());
    }

    public static String now() {
        return Instant.now().toString();
    }

    public static ObjectNode object() {
        return JSON.createObjectNode();
    }

    /** The load balancer's calls this charger answered by itself. */
    public BlockingQueue<JsonNode> balancerCalls() {
        return balancerCalls;
    }

    private static boolean isBalancerCall(String action) {
        return action.equals("GetConfiguration") || action.equals("SetChargingProfile");
    }

    /** Answered from another thread: the listener's thread must not wait for a send. */
    private void answerBalancer(JsonNode call) {
        ObjectNode payload = call.get(2).asText().equals("SetChargingProfile")
                ? object().put("status", "NotSupported") : object();
        CompletableFuture.runAsync(() -> {
            try {
                sendResult(call.get(1).asText(), payload);
            } catch (Exception e) {
                // the connection is closing
            }
        });
    }

    // ---- WebSocket.Listener -----------------------------------------------------------------

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            String text = partial.toString();
            partial.setLength(0);
            try {
                JsonNode frame = JSON.readTree(text);
                if (frame.get(0).asInt() == 2 && isBalancerCall(frame.get(2).asText())) {
                    balancerCalls.add(frame);
                    answerBalancer(frame);
                } else {
                    (frame.get(0).asInt() == 2 ? calls : results).add(frame);
                }
            } catch (Exception e) {
                results.add(JSON.createArrayNode().add(-1).add("unparsable").add(text));
            }
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(new Close(statusCode, reason));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete(new Close(1006, String.valueOf(error)));
    }

    @Override
    public void close() {
        if (socket != null && !socket.isOutputClosed()) {
            try {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "test done").get(2, TimeUnit.SECONDS);
                closed.get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                // closing anyway
            }
        }
        if (socket != null) {
            socket.abort();
        }
    }
}
