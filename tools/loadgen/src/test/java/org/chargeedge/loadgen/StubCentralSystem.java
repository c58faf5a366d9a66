package org.chargeedge.loadgen;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import javax.net.ssl.SSLContext;
import org.chargeedge.loadgen.scenario.Payloads;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.drafts.Draft;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.enums.Opcode;
import org.java_websocket.exceptions.InvalidDataException;
import org.java_websocket.extensions.IExtension;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.framing.Framedata;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.handshake.ServerHandshakeBuilder;
import org.java_websocket.protocols.IProtocol;
import org.java_websocket.protocols.Protocol;
import org.java_websocket.server.DefaultSSLWebSocketServerFactory;
import org.java_websocket.server.WebSocketServer;

/**
 * A minimal OCPP-J 1.6 central system for the tests. It answers the six actions the load generator
 * uses with valid CALLRESULTs and checks what it receives: frame shape, unique ids, the
 * one-outstanding-CALL rule (answers are delayed a little so that a second CALL would overlap), and
 * that MeterValues/StopTransaction use the transactionId it handed out.
 */
final class StubCentralSystem extends WebSocketServer {

    /** Knobs, set before {@link #startAndWait()}. */
    static final class Config {
        boolean requireOcppProtocol = true;
        /** When false the server does not select any subprotocol in its handshake answer. */
        boolean selectOcppProtocol = true;
        /** Answer this action with CALLERROR InternalError. */
        String errorAction;
        /** Never answer this action. */
        String silentAction;
        /** Drop (abruptly, no close handshake) up to {@link #dropConnections} connections at their Nth CALL. */
        int dropAtCall;
        int dropConnections;
        /** Send a CALL (GetConfiguration) to the charger after answering its BootNotification. */
        boolean callChargerAfterBoot;
        /** Answers are delayed randomly by up to this many microseconds. */
        long maxDelayMicros = 500;
        /** Serve wss:// with this TLS context; null serves ws://. */
        SSLContext tls;
        /** Send every answer as a fragmented message: a text frame and two continuation frames. */
        boolean fragmentAnswers;
        /** Ping every connection this often and drop those that do not answer (Java-WebSocket's lost-connection check); 0 = its default, 60 s. */
        int pingIntervalSeconds;
    }

    static final class Conn {
        final String chargePointId;
        final AtomicBoolean busy = new AtomicBoolean();
        final Set<String> ids = Collections.synchronizedSet(new HashSet<>());
        final AtomicInteger calls = new AtomicInteger();
        volatile Long transactionId;

        Conn(String chargePointId) {
            this.chargePointId = chargePointId;
        }
    }

    final Config config;
    private final CountDownLatch started = new CountDownLatch(1);
    private final ScheduledExecutorService delayer = Executors.newScheduledThreadPool(2);
    private final AtomicLong nextTransactionId = new AtomicLong(1000);
    private final AtomicInteger dropped = new AtomicInteger();

    final LongAdder calls = new LongAdder();
    /** How often {@link #repairStuckWrites()} found a reply stuck in the queue. */
    final LongAdder stuckWritesRepaired = new LongAdder();
    final LongAdder outstandingViolations = new LongAdder();
    final LongAdder protocolViolations = new LongAdder();
    final LongAdder transactionMismatches = new LongAdder();
    final LongAdder badMeterValues = new LongAdder();
    final LongAdder refusedHandshakes = new LongAdder();
    final LongAdder opened = new LongAdder();
    final LongAdder chargerAnswers = new LongAdder();
    /** Pongs received: answers to the pings of the lost-connection check. */
    final LongAdder pongs = new LongAdder();
    final Map<String, LongAdder> actions = new ConcurrentHashMap<>();
    final Map<Integer, LongAdder> closeCodes = new ConcurrentHashMap<>();
    final LongAdder closedByClient = new LongAdder();
    final Set<String> chargePointIds = ConcurrentHashMap.newKeySet();
    final List<String> problems = Collections.synchronizedList(new ArrayList<>());

    StubCentralSystem(Config config) {
        this(config, 0);
    }

    StubCentralSystem(Config config, int port) {
        super(new InetSocketAddress("127.0.0.1", port), List.of(draft(config)));
        this.config = config;
        setReuseAddr(true);
        if (config.tls != null) {
            setWebSocketFactory(new DefaultSSLWebSocketServerFactory(config.tls));
        }
        if (config.pingIntervalSeconds > 0) {
            setConnectionLostTimeout(config.pingIntervalSeconds);
        }
    }

    private static Draft draft(Config config) {
        // "" accepts any offer (or none): refusing is left to onWebsocketHandshakeReceivedAsServer
        List<IProtocol> protocols = config.selectOcppProtocol
                ? List.of(new Protocol("ocpp1.6"), new Protocol(""))
                : List.of(new Protocol(""));
        return new Draft_6455(Collections.<IExtension>emptyList(), protocols);
    }

    StubCentralSystem startAndWait() throws InterruptedException {
        start();
        delayer.scheduleWithFixedDelay(this::repairStuckWrites, 20, 20, TimeUnit.MILLISECONDS);
        if (!started.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("stub did not start");
        }
        return this;
    }

    /**
     * Works around a race in Java-WebSocket 1.6.0's server: a send from a thread other than the
     * selector thread sets OP_WRITE, but the selector thread, finishing the previous write, may reset
     * the key to OP_READ after having seen an empty queue; the frame then waits for the next read
     * event. Seen here as a reply stuck until the charger's call timeout. This re-raises the write
     * demand of connections whose queue is not empty while OP_WRITE is off.
     */
    private void repairStuckWrites() {
        for (WebSocket ws : getConnections()) {
            WebSocketImpl impl = (WebSocketImpl) ws;
            SelectionKey key = impl.getSelectionKey();
            try {
                if (!impl.outQueue.isEmpty() && key != null && key.isValid()
                        && (key.interestOps() & SelectionKey.OP_WRITE) == 0 && !impl.outQueue.isEmpty()) {
                    stuckWritesRepaired.increment();
                    onWriteDemand(ws);
                }
            } catch (CancelledKeyException e) {
                // closed meanwhile
            }
        }
    }

    String url() {
        return (config.tls != null ? "wss" : "ws") + "://127.0.0.1:" + getPort() + "/ocpp/";
    }

    void shutdown() throws InterruptedException {
        stop(2000);
        delayer.shutdownNow();
    }

    long count(String action) {
        LongAdder a = actions.get(action);
        return a == null ? 0 : a.sum();
    }

    @Override
    public ServerHandshakeBuilder onWebsocketHandshakeReceivedAsServer(WebSocket conn, Draft draft,
            ClientHandshake request) throws InvalidDataException {
        if (config.requireOcppProtocol) {
            String offered = request.getFieldValue("Sec-WebSocket-Protocol");
            boolean ok = false;
            for (String p : offered.split(",")) {
                ok |= p.trim().equals("ocpp1.6");
            }
            if (!ok) {
                refusedHandshakes.increment();
                throw new InvalidDataException(CloseFrame.PROTOCOL_ERROR, "subprotocol ocpp1.6 required");
            }
        }
        return super.onWebsocketHandshakeReceivedAsServer(conn, draft, request);
    }

    @Override
    public void onStart() {
        started.countDown();
    }

    @Override
    public void onOpen(WebSocket conn, ClientHandshake handshake) {
        String path = handshake.getResourceDescriptor();
        String id = path.substring(path.lastIndexOf('/') + 1);
        if (!path.startsWith("/ocpp/") || id.isEmpty()) {
            problems.add("bad path " + path);
        }
        if (!chargePointIds.add(id)) {
            problems.add("charge point connected twice: " + id);
        }
        conn.setAttachment(new Conn(id));
        opened.increment();
    }

    @Override
    public void onMessage(WebSocket conn, String message) {
        Conn c = conn.getAttachment();
        List<?> frame;
        try {
            frame = (List<?>) RunState.JSON.readValue(message, Object.class);
        } catch (IOException | RuntimeException e) {
            protocolViolation(c, "not a JSON array: " + message);
            return;
        }
        if (frame.size() >= 3 && Long.valueOf(4).equals(frame.get(0)) || frame.size() == 3 && Long.valueOf(3).equals(frame.get(0))) {
            chargerAnswers.increment(); // answer to our own CALL
            return;
        }
        if (frame.size() != 4 || !Long.valueOf(2).equals(frame.get(0)) || !(frame.get(1) instanceof String)
                || !(frame.get(2) instanceof String) || !(frame.get(3) instanceof Map)) {
            protocolViolation(c, "bad CALL frame: " + message);
            return;
        }
        String id = (String) frame.get(1);
        String action = (String) frame.get(2);
        @SuppressWarnings("unchecked")
        Map<String, Object> payload = (Map<String, Object>) frame.get(3);
        calls.increment();
        actions.computeIfAbsent(action, k -> new LongAdder()).increment();
        if (!c.busy.compareAndSet(false, true)) {
            outstandingViolations.increment();
            problems.add(c.chargePointId + " sent " + action + " while a CALL was outstanding");
        }
        if (!c.ids.add(id)) {
            protocolViolation(c, "message id reused: " + id);
        }
        int n = c.calls.incrementAndGet();
        if (config.dropAtCall > 0 && n == config.dropAtCall && dropped.incrementAndGet() <= config.dropConnections) {
            conn.closeConnection(CloseFrame.ABNORMAL_CLOSE, "stub drops the connection");
            return;
        }
        if (action.equals(config.silentAction)) {
            c.busy.set(false); // we give up on it; the charger may send again after its timeout
            return;
        }
        String reply = reply(c, id, action, payload);
        boolean callAfter = config.callChargerAfterBoot && action.equals("BootNotification");
        long delay = config.maxDelayMicros > 0 ? ThreadLocalRandom.current().nextLong(config.maxDelayMicros + 1) : 0;
        Runnable send = () -> {
            c.busy.set(false);
            if (conn.isOpen()) {
                if (config.fragmentAnswers) {
                    sendFragmented(conn, reply);
                } else {
                    conn.send(reply);
                }
                if (callAfter) {
                    conn.send("[2,\"srv-" + id + "\",\"GetConfiguration\",{}]");
                }
            }
        };
        if (delay == 0) {
            send.run();
        } else {
            delayer.schedule(send, delay, TimeUnit.MICROSECONDS);
        }
    }

    /** Sends {@code text} as three frames: TEXT (not final), CONTINUATION, CONTINUATION (final). */
    private static void sendFragmented(WebSocket conn, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        int third = b.length / 3;
        conn.sendFragmentedFrame(Opcode.TEXT, ByteBuffer.wrap(b, 0, third), false);
        conn.sendFragmentedFrame(Opcode.TEXT, ByteBuffer.wrap(b, third, third), false);
        conn.sendFragmentedFrame(Opcode.TEXT, ByteBuffer.wrap(b, 2 * third, b.length - 2 * third), true);
    }

    @Override
    public void onWebsocketPong(WebSocket conn, Framedata f) {
        super.onWebsocketPong(conn, f);
        pongs.increment();
    }

    private String reply(Conn c, String id, String action, Map<String, Object> p) {
        if (action.equals(config.errorAction)) {
            return "[4," + quote(id) + ",\"InternalError\",\"stub error\",{}]";
        }
        String now = quote(Instant.now().toString());
        String result;
        switch (action) {
            case "BootNotification":
                require(c, p.get("chargePointVendor") instanceof String && p.get("chargePointModel") instanceof String,
                        "BootNotification fields");
                result = "{\"status\":\"Accepted\",\"currentTime\":" + now + ",\"interval\":300}";
                break;
            case "Heartbeat":
                require(c, p.isEmpty(), "Heartbeat payload not empty");
                result = "{\"currentTime\":" + now + "}";
                break;
            case "StatusNotification":
                require(c, p.get("connectorId") instanceof Long && p.get("errorCode") instanceof String
                        && p.get("status") instanceof String, "StatusNotification fields");
                result = "{}";
                break;
            case "StartTransaction": {
                require(c, p.get("connectorId") instanceof Long && p.get("idTag") instanceof String
                        && p.get("meterStart") instanceof Long && p.get("timestamp") instanceof String,
                        "StartTransaction fields");
                long tx = nextTransactionId.incrementAndGet();
                c.transactionId = tx;
                result = "{\"transactionId\":" + tx + ",\"idTagInfo\":{\"status\":\"Accepted\"}}";
                break;
            }
            case "StopTransaction": {
                Object tx = p.get("transactionId");
                if (tx == null || !tx.equals(c.transactionId)) {
                    transactionMismatches.increment();
                    problems.add(c.chargePointId + " stopped transaction " + tx + ", open is " + c.transactionId);
                }
                require(c, p.get("meterStop") instanceof Long && p.get("timestamp") instanceof String, "StopTransaction fields");
                c.transactionId = null;
                result = "{\"idTagInfo\":{\"status\":\"Accepted\"}}";
                break;
            }
            case "MeterValues":
                checkMeterValues(c, p);
                result = "{}";
                break;
            default:
                return "[4," + quote(id) + ",\"NotImplemented\",\"unknown action\",{}]";
        }
        return "[3," + quote(id) + "," + result + "]";
    }

    private static String quote(String text) {
        return Payloads.quote(new StringBuilder(), text).toString();
    }

    private void checkMeterValues(Conn c, Map<String, Object> p) {
        Object tx = p.get("transactionId");
        if (tx != null && !tx.equals(c.transactionId)) {
            transactionMismatches.increment();
            problems.add(c.chargePointId + " MeterValues for transaction " + tx + ", open is " + c.transactionId);
        }
        boolean ok = p.get("connectorId") instanceof Long && p.get("meterValue") instanceof List;
        Set<String> seen = new HashSet<>();
        if (ok) {
            for (Object mv : (List<?>) p.get("meterValue")) {
                Map<?, ?> m = (Map<?, ?>) mv;
                ok &= m.get("timestamp") instanceof String && m.get("sampledValue") instanceof List;
                if (!ok) {
                    break;
                }
                for (Object sv : (List<?>) m.get("sampledValue")) {
                    Map<?, ?> s = (Map<?, ?>) sv;
                    Object value = s.get("value");
                    ok &= value instanceof String;
                    if (ok) {
                        try {
                            Double.parseDouble((String) value);
                        } catch (NumberFormatException e) {
                            ok = false;
                        }
                    }
                    seen.add(s.get("measurand") + (s.get("phase") == null ? "" : "." + s.get("phase")) + "/" + s.get("unit"));
                }
            }
        }
        Set<String> expected = Set.of("Energy.Active.Import.Register/Wh", "Power.Active.Import/W",
                "Current.Import.L1/A", "Current.Import.L2/A", "Current.Import.L3/A");
        if (!ok || !seen.equals(expected)) {
            badMeterValues.increment();
            problems.add(c.chargePointId + " bad MeterValues " + p + " measurands " + seen);
        }
    }

    private void require(Conn c, boolean ok, String what) {
        if (!ok) {
            protocolViolation(c, what);
        }
    }

    private void protocolViolation(Conn c, String what) {
        protocolViolations.increment();
        problems.add((c == null ? "?" : c.chargePointId) + ": " + what);
    }

    @Override
    public void onMessage(WebSocket conn, ByteBuffer message) {
        protocolViolation(conn.getAttachment(), "binary frame");
    }

    @Override
    public void onClose(WebSocket conn, int code, String reason, boolean remote) {
        closeCodes.computeIfAbsent(code, k -> new LongAdder()).increment();
        if (remote) {
            closedByClient.increment();
        }
    }

    @Override
    public void onError(WebSocket conn, Exception ex) {
        problems.add("server error: " + ex);
    }
}
