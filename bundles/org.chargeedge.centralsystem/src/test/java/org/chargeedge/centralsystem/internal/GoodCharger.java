package org.chargeedge.centralsystem.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The strict charger that keeps transacting while hostile clients do their worst: a whole
 * transaction (start, three meter values, stop), a heartbeat and a status notification, over and
 * over, a call every 150 ms on a thread of its own; every call must get a CALLRESULT. It talks
 * through any client ({@link Link}). Published in this module's test jar for the process-level
 * hostile-client test.
 */
public final class GoodCharger implements AutoCloseable {

    /** The client the charger talks through. */
    public interface Link {
        /** Sends the CALL and returns the payload of its CALLRESULT; fails on anything else. */
        JsonNode callResult(String action, String payloadJson) throws Exception;

        /** Whether the connection has ended. */
        boolean closed();

        void close();
    }

    private static final long PAUSE_MS = 150;

    private final Link link;
    private final Thread thread;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong maxLatencyNanos = new AtomicLong();
    private final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();

    private GoodCharger(Link link) {
        this.link = link;
        this.thread = new Thread(this::run, "good-charger");
        thread.setDaemon(true);
    }

    public static GoodCharger start(Link link) {
        GoodCharger g = new GoodCharger(link);
        g.thread.start();
        return g;
    }

    private void run() {
        int meter = 0;
        try {
            while (running.get()) {
                int tx = call("StartTransaction", "{\"connectorId\":1,\"idTag\":\"GOOD-TAG\",\"meterStart\":" + meter
                        + ",\"timestamp\":\"" + Instant.now() + "\"}").get("transactionId").asInt();
                for (int i = 0; i < 3; i++) {
                    meter += 100;
                    call("MeterValues", "{\"connectorId\":1,\"transactionId\":" + tx + ",\"meterValue\":[{"
                            + "\"timestamp\":\"" + Instant.now() + "\",\"sampledValue\":[{\"value\":\"" + meter
                            + "\"}]}]}");
                }
                call("StopTransaction", "{\"transactionId\":" + tx + ",\"meterStop\":" + meter + ",\"timestamp\":\""
                        + Instant.now() + "\"}");
                call("Heartbeat", "{}");
                call("StatusNotification", "{\"connectorId\":1,\"errorCode\":\"NoError\",\"status\":\"Available\"}");
            }
        } catch (Throwable t) {
            if (running.get()) {
                problems.add(t.toString());
            }
        }
    }

    private JsonNode call(String action, String payloadJson) throws Exception {
        long start = System.nanoTime();
        JsonNode result = link.callResult(action, payloadJson);
        maxLatencyNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
        answered.incrementAndGet();
        Thread.sleep(PAUSE_MS);
        return result;
    }

    /** Calls answered so far. */
    public long answered() {
        return answered.get();
    }

    /** The longest wait for an answer so far. */
    public long maxLatencyMillis() {
        return maxLatencyNanos.get() / 1_000_000;
    }

    /** No error, no disconnect, still transacting. */
    public void assertHealthy() {
        assertThat(problems).as("the good charger's errors").isEmpty();
        assertThat(link.closed()).as("the good charger's connection closed").isFalse();
        assertThat(thread.isAlive()).as("the good charger transacting").isTrue();
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(10_000);
        link.close();
    }
}
