package org.chargeedge.upstream.internal;

import java.lang.reflect.Field;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import eu.chargetime.ocpp.JSONServer;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.server.WebSocketServer;

/**
 * Gives the ChargeTimeEU test CSMS the repair the gateway's own server has
 * ({@code OcppWebSocketServer.repairStalledWrites}): Java-WebSocket 1.6.0,
 * under the ChargeTimeEU server, can leave an answer queued without write
 * interest until the next read. A test CSMS that sits on an answer makes the
 * gateway time out and send the message again, which a test of
 * exactly-once delivery would rightly count as a duplicate. The server is not
 * reachable through ChargeTimeEU's API, hence the reflection. Published in
 * this module's test jar for the gateway's integration tests.
 */
public final class WriteRaceRepair implements AutoCloseable {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "test-csms-write-repair");
        t.setDaemon(true);
        return t;
    });

    public WriteRaceRepair(JSONServer csms) throws ReflectiveOperationException {
        Object listener = field(JSONServer.class, "listener").get(csms);
        Field serverField = field(listener.getClass(), "server");
        timer.scheduleWithFixedDelay(() -> {
            try {
                WebSocketServer server = (WebSocketServer) serverField.get(listener);
                if (server != null) {
                    repair(server);
                }
            } catch (IllegalAccessException | RuntimeException e) {
                // the server is starting or stopping; the next run tries again
            }
        }, 10, 10, TimeUnit.MILLISECONDS);
    }

    /** One pass: a connection with frames queued but no write interest is announced to the selector again. */
    public static void repair(WebSocketServer server) {
        for (WebSocket connection : server.getConnections()) {
            if (!(connection instanceof WebSocketImpl impl) || impl.outQueue.isEmpty()) {
                continue;
            }
            SelectionKey key = impl.getSelectionKey();
            try {
                if (key != null && key.isValid() && (key.interestOps() & SelectionKey.OP_WRITE) == 0
                        && !impl.outQueue.isEmpty()) {
                    server.onWriteDemand(connection);
                }
            } catch (CancelledKeyException e) {
                // closed meanwhile
            }
        }
    }

    private static Field field(Class<?> type, String name) throws NoSuchFieldException {
        Field f = type.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
