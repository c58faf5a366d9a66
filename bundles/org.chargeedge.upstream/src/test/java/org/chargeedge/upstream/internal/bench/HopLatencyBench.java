package org.chargeedge.upstream.internal.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import org.chargeedge.store.internal.SqliteStore;
import org.chargeedge.store.internal.TestStores;
import org.chargeedge.upstream.internal.ReplayBenchAccess;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Latency the gateway hop adds: chargers doing Heartbeat round trips, first straight to a minimal
 * Java-WebSocket CSMS in this JVM that answers at once, then through the real central system and
 * upstream link to that same CSMS, in the same run. Three cases: 1 charger in a closed loop (each
 * call sent as soon as the answer is in); 200 chargers each sending at a fixed pace
 * ({@code bench.rate} calls/s per charger, 10 by default: 2,000 calls/s in all, phases spread
 * evenly); and 200 chargers in a closed loop, which saturates the shared cores and measures queueing
 * more than the hop. Paced latencies count from the time a call was due, so an answer that comes late
 * also delays the next call's figure (no coordinated omission). Prints p50/p99 of both paths and their
 * difference; runs only with -Dbench=true.
 */
class HopLatencyBench {

    private static final long WARM_UP_MILLIS = Long.getLong("bench.warmup", 3000);
    private static final long MEASURE_MILLIS = Long.getLong("bench.measure", 5000);
    private static final int RATE_PER_CHARGER = Integer.getInteger("bench.rate", 10);

    /**
     * One charger on its own WebSocket: Heartbeat, answer, Heartbeat... Closed loop when
     * {@code intervalNanos} is 0, else each call is due {@code intervalNanos} after the last was due.
     * Threads: the socket's callbacks (one at a time) and the pacing timer, never at once: the
     * timer only sends when no call is outstanding.
     */
    static final class Loop implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();
        private final long from;
        private final long until;
        private final long intervalNanos;
        private final java.util.concurrent.ScheduledExecutorService timer;
        /** When the call in flight was due (paced), or sent (closed loop). */
        private volatile long dueAt;
        private long[] samples = new long[1024];
        private int count;
        /** Measured answers that did not come from the CSMS (the gateway answered locally). */
        private int local;
        private long sentAt;
        private long nextId;
        private WebSocket socket;
        /** java.net.http allows one outstanding send: an answer can come before the send completes. */
        private CompletableFuture<?> sendTail = CompletableFuture.completedFuture(null);
        final CompletableFuture<Void> done = new CompletableFuture<>();

        Loop(long from, long until, long intervalNanos, long firstDue,
             java.util.concurrent.ScheduledExecutorService timer) {
            this.from = from;
            this.until = until;
            this.intervalNanos = intervalNanos;
            this.timer = timer;
            this.dueAt = firstDue;
        }

        void start(HttpClient http, URI uri) {
            http.newWebSocketBuilder().subprotocols("ocpp1.6").buildAsync(uri, this).whenComplete((ws, e) -> {
                if (e != null) {
                    done.completeExceptionally(e);
                }
            });
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            socket = webSocket;
            webSocket.request(1);
            if (intervalNanos == 0) {
                send();
            } else {
                sendWhenDue();
            }
        }

        /** Paced: sends the call due at {@link #dueAt}, at once when that has passed. */
        private void sendWhenDue() {
            long wait = dueAt - System.nanoTime();
            if (wait > 0) {
                timer.schedule(this::send, wait, TimeUnit.NANOSECONDS);
            } else {
                send();
            }
        }

        private void send() {
            String frame = "[2,\"" + (nextId++) + "\",\"Heartbeat\",{}]";
            sentAt = System.nanoTime();
            if (intervalNanos == 0) {
                dueAt = sentAt;
            }
            sendTail = sendTail.thenCompose(v -> socket.sendText(frame, true)).whenComplete((v, e) -> {
                if (e != null) {
                    done.completeExceptionally(e);
                }
            });
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            webSocket.request(1);
            if (!last) {
                return null;
            }
            long now = System.nanoTime();
            if (partial.charAt(1) != '3') {
                done.completeExceptionally(new AssertionError("not a CALLRESULT: " + partial));
            }
            boolean fromCsms = partial.indexOf(ReplayBench.EchoCsms.TIME) > 0;
            partial.setLength(0);
            if (dueAt >= from && now <= until) {
                if (!fromCsms) {
                    local++;
                }
                if (count == samples.length) {
                    samples = Arrays.copyOf(samples, count * 2);
                }
                samples[count++] = now - dueAt;
            }
            if (now >= until) {
                done.complete(null);
            } else if (intervalNanos == 0) {
                send();
            } else {
                dueAt += intervalNanos;
                sendWhenDue();
            }
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            done.completeExceptionally(new AssertionError("closed: " + statusCode + " " + reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            done.completeExceptionally(error);
        }

        long[] samples() {
            return Arrays.copyOf(samples, count);
        }
    }

    record Result(long calls, double perSecond, double p50, double p99, double p999, double max, long local) {}

    /**
     * {@code chargers} loops against {@code base + id}, closed ({@code perSecond} 0) or paced at
     * {@code perSecond} calls per charger; latencies of the measured window in ms.
     */
    static Result run(String base, int chargers, int perSecond, ReplayBench.EchoCsms csms) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors
                .newSingleThreadScheduledExecutor();
        long start = System.nanoTime();
        long from = start + TimeUnit.MILLISECONDS.toNanos(WARM_UP_MILLIS);
        long until = from + TimeUnit.MILLISECONDS.toNanos(MEASURE_MILLIS);
        long interval = perSecond == 0 ? 0 : TimeUnit.SECONDS.toNanos(1) / perSecond;
        List<Loop> loops = new ArrayList<>();
        for (int i = 0; i < chargers; i++) {
            // Paced chargers start one second in (connected by then), their phases spread over the interval.
            Loop loop = new Loop(from, until, interval, start + TimeUnit.SECONDS.toNanos(1) + interval * i / chargers,
                    timer);
            loop.start(http, URI.create(base + "LAT-" + i));
            loops.add(loop);
        }
        try {
            return collect(loops, chargers, from, csms);
        } finally {
            timer.shutdownNow();
        }
    }

    private static Result collect(List<Loop> loops, int chargers, long from, ReplayBench.EchoCsms csms)
            throws Exception {
        long remaining = from - System.nanoTime();
        if (remaining > 0) {
            TimeUnit.NANOSECONDS.sleep(remaining);
        }
        try {
            CompletableFuture.allOf(loops.stream().map(l -> l.done).toArray(CompletableFuture[]::new))
                    .get(MEASURE_MILLIS + 10_000, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            long stuck = loops.stream().filter(l -> !l.done.isDone()).count();
            Loop first = loops.stream().filter(l -> !l.done.isDone()).findFirst().orElseThrow();
            throw new AssertionError(stuck + " of " + chargers + " chargers without an answer; one waits since "
                    + (System.nanoTime() - first.sentAt) / 1_000_000 + " ms after " + first.nextId + " calls; the CSMS received "
                    + csms.received + " CALLs in all", e);
        }
        long local = loops.stream().mapToLong(l -> l.local).sum();
        long[] all = loops.stream().flatMapToLong(l -> Arrays.stream(l.samples())).sorted().toArray();
        if (all.length == 0) {
            throw new AssertionError("no round trip measured");
        }
        return new Result(all.length, all.length * 1000.0 / MEASURE_MILLIS, ms(all, 0.50), ms(all, 0.99),
                ms(all, 0.999), all[all.length - 1] / 1e6, local);
    }

    private static double ms(long[] sorted, double quantile) {
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(sorted.length * quantile))] / 1e6;
    }

    @Test
    void addedLatency() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("bench"), "a benchmark: -Dbench=true");
        Path dir = Files.createTempDirectory("hop-bench");
        SqliteStore store = TestStores.open(dir.resolve("store.db"));
        ReplayBench.EchoCsms csms = new ReplayBench.EchoCsms();
        csms.start();
        while (csms.getPort() == 0) {
            Thread.sleep(10);
        }
        String direct = "ws://127.0.0.1:" + csms.getPort() + "/ocpp/";
        try (ReplayBenchAccess.Hop hop = ReplayBenchAccess.hop(store, dir.resolve("centralsystem"),
                "ws://127.0.0.1:" + csms.getPort() + "/ocpp")) {
            String through = "ws://127.0.0.1:" + hop.port() + "/ocpp/";
            System.out.printf("warm-up %d ms, measured %d ms per case, %d cores%n", WARM_UP_MILLIS, MEASURE_MILLIS,
                    Runtime.getRuntime().availableProcessors());
            int[][] cases = {{1, 0}, {200, RATE_PER_CHARGER}, {200, 0}};
            for (int[] c : cases) {
                int chargers = c[0];
                int perSecond = c[1];
                String load = perSecond == 0 ? "closed loop" : perSecond + " calls/s each";
                Result d = run(direct, chargers, perSecond, csms);
                Result g = run(through, chargers, perSecond, csms);
                print("direct ", chargers, load, d);
                print("gateway", chargers, load, g);
                System.out.printf("added  %3d chargers, %s: p50 %+.3f ms, p99 %+.3f ms%n", chargers, load,
                        g.p50() - d.p50(), g.p99() - d.p99());
                if (g.local() > 0) {
                    // Local answers (link not up, CSMS too slow) would make the gateway look faster than it is.
                    throw new AssertionError(g.local() + " of " + g.calls() + " Heartbeats answered by the gateway itself");
                }
            }
        } finally {
            csms.stop(1000);
            TestStores.close(store);
        }
    }

    private static void print(String path, int chargers, String load, Result r) {
        System.out.printf("%s %3d chargers, %s: %,d round trips (%,.0f/s), p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, "
                + "max %.1f ms; answered locally %d%n", path, chargers, load, r.calls(), r.perSecond(), r.p50(), r.p99(),
                r.p999(), r.max(), r.local());
    }
}
