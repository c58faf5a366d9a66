package org.chargeedge.upstream.internal.bench;

import java.time.Instant;

import org.chargeedge.ocpp.v16.AuthorizationStatus;
import org.chargeedge.ocpp.v16.IdTagInfo;
import org.chargeedge.ocpp.v16.MeterValue;
import org.chargeedge.ocpp.v16.MeterValuesRequest;
import org.chargeedge.ocpp.v16.SampledValue;
import org.chargeedge.ocpp.v16.StartTransactionRequest;
import org.chargeedge.ocpp.v16.StopTransactionRequest;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.chargeedge.store.internal.SqliteStore;
import org.chargeedge.store.internal.TestStores;
import org.chargeedge.upstream.internal.ReplayBenchAccess;
import org.chargeedge.upstream.internal.WriteRaceRepair;
import org.java_websocket.WebSocket;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Replay throughput: 100,000 messages queued for one charger (a start, MeterValues, a stop) on the
 * real store, delivered by the real link to a minimal Java-WebSocket CSMS in this JVM that answers
 * at once. Prints figures; runs only with -Dbench=true.
 */
class ReplayBench {

    static final int MESSAGES = 100_000;

    /**
     * Answers every CALL at once: StartTransaction with id 1, Heartbeat with {@link #TIME} (how a
     * charger behind the gateway tells the CSMS's answer from a local one), everything else with an
     * empty object. Carries the same repair of Java-WebSocket 1.6.0's write race as the gateway's
     * {@code OcppWebSocketServer.repairStalledWrites} (answers are sent from worker threads), run
     * every 10 ms on a timer of its own.
     */
    static final class EchoCsms extends WebSocketServer {
        static final String TIME = "2000-01-01T00:00:00Z";
        static final long WRITE_REPAIR_MS = 10;
        volatile CountDownLatch stopped = new CountDownLatch(1);
        volatile long received;
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-csms-write-repair");
            t.setDaemon(true);
            return t;
        });

        EchoCsms() {
            super(new InetSocketAddress("127.0.0.1", 0));
            setReuseAddr(true);
        }

        @Override
        public void onOpen(WebSocket conn, ClientHandshake handshake) {
        }

        @Override
        public void onClose(WebSocket conn, int code, String reason, boolean remote) {
        }

        @Override
        public void onMessage(WebSocket conn, String message) {
            // [2,"id","Action",{...}]: the id is the second string.
            int a = message.indexOf('"') + 1;
            String id = message.substring(a, message.indexOf('"', a));
            received++;
            String answer = "{}";
            if (message.contains("\"StartTransaction\"")) {
                answer = "{\"transactionId\":1,\"idTagInfo\":{\"status\":\"Accepted\"}}";
            } else if (message.contains("\"Heartbeat\"")) {
                answer = "{\"currentTime\":\"" + TIME + "\"}";
            }
            conn.send("[3,\"" + id + "\"," + answer + "]");
            if (message.contains("\"StopTransaction\"")) {
                stopped.countDown();
            }
        }

        @Override
        public void onError(WebSocket conn, Exception ex) {
        }

        @Override
        public void onStart() {
            timer.scheduleWithFixedDelay(this::repairStalledWrites, WRITE_REPAIR_MS, WRITE_REPAIR_MS,
                    TimeUnit.MILLISECONDS);
        }

        @Override
        public void stop(int timeout, String closeMessage) throws InterruptedException {
            timer.shutdownNow();
            super.stop(timeout, closeMessage);
        }

        /** The same repair the gateway's own server runs: see {@link WriteRaceRepair}. */
        void repairStalledWrites() {
            WriteRaceRepair.repair(this);
        }
    }

    @Test
    void replay() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("bench"), "a benchmark: -Dbench=true");
        Path dir = Files.createTempDirectory("replay-bench");
        SqliteStore store = TestStores.open(dir.resolve("store.db"));
        EchoCsms csms = new EchoCsms();
        csms.start();
        while (csms.getPort() == 0) {
            Thread.sleep(10);
        }
        try {
            String cp = "BENCH-1";
            Instant t0 = Instant.parse("2025-03-01T10:00:00Z");
            store.transactionStarted(cp, 1, new StartTransactionRequest(1, "TAG", 0, null, t0),
                    IdTagInfo.of(AuthorizationStatus.Accepted), t0).toCompletableFuture().get();
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (int i = 1; i <= MESSAGES - 2; i++) {
                writes.add(store.meterValues(cp, new MeterValuesRequest(1, 1, List.of(new MeterValue(t0,
                        List.of(new SampledValue(String.valueOf(i), null, null, null, null, null, null))))), t0)
                        .toCompletableFuture());
            }
            writes.add(store.transactionStopped(cp, new StopTransactionRequest(null, 9, t0.plusSeconds(7200), 1,
                    null, null), t0).toCompletableFuture());
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            System.out.printf("queued: %d messages%n", store.depth(cp));

            long started = System.nanoTime();
            try (AutoCloseable link = ReplayBenchAccess.link(store, "ws://127.0.0.1:" + csms.getPort() + "/ocpp", cp)) {
                if (!csms.stopped.await(120, TimeUnit.SECONDS)) {
                    throw new AssertionError("replay incomplete: " + csms.received + " received");
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                System.out.printf("replay: %d messages at the CSMS in %.2f s = %.0f messages/s (left in queue: %d)%n",
                        csms.received, seconds, csms.received / seconds, store.depth(cp));
            }
        } finally {
            csms.stop(1000);
            TestStores.close(store);
        }
    }
}
