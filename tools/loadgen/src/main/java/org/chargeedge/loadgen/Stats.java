package org.chargeedge.loadgen;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/** Counters and latency histograms shared by all chargers (thread safe). */
final class Stats {

    /** Highest latency the histograms track, in microseconds (1 h); larger values are clamped. */
    static final long HIGHEST_MICROS = 3_600_000_000L;

    final LongAdder sent = new LongAdder();
    final LongAdder answered = new LongAdder();
    final LongAdder callResults = new LongAdder();
    final LongAdder callErrors = new LongAdder();
    final LongAdder timeouts = new LongAdder();
    /** Calls sent whose connection was lost before an answer came. */
    final LongAdder lost = new LongAdder();
    /** Answers that came for a call that had already timed out. */
    final LongAdder lateAnswers = new LongAdder();
    /** CALLs the central system sent to a charger (answered with CALLERROR NotSupported). */
    final LongAdder incomingCalls = new LongAdder();
    /** Answers completed inside the measured window (for calls/s). */
    final LongAdder measuredAnswered = new LongAdder();

    final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    final Map<String, LongAdder> warnings = new ConcurrentHashMap<>();
    final Map<String, LongAdder> connectErrors = new ConcurrentHashMap<>();

    /** Response time: from the intended send time (rate set, coordinated-omission corrected) or the send. */
    final Histogram latency = new ConcurrentHistogram(HIGHEST_MICROS, 3);
    /** Service time: from the actual send to the answer. */
    final Histogram serviceTime = new ConcurrentHistogram(HIGHEST_MICROS, 3);

    volatile long measureStartNanos = Long.MAX_VALUE;
    volatile long measureEndNanos = Long.MAX_VALUE;

    void error(String kind) {
        errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    void warning(String kind) {
        warnings.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    void connectError(String kind) {
        connectErrors.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    long errorTotal() {
        long n = 0;
        for (LongAdder a : errors.values()) {
            n += a.sum();
        }
        return n;
    }

    /**
     * Records an answer. {@code startNanos} is the intended send time when pacing (so that delays the
     * generator itself suffers from a slow peer are not omitted), else the actual send time.
     */
    void answered(long startNanos, long sendNanos, long nowNanos) {
        answered.increment();
        long ms = measureStartNanos;
        long me = measureEndNanos;
        if (nowNanos >= ms && nowNanos < me) {
            measuredAnswered.increment();
        }
        if (startNanos >= ms && startNanos < me) {
            latency.recordValue(clamp((nowNanos - startNanos) / 1_000));
            serviceTime.recordValue(clamp((nowNanos - sendNanos) / 1_000));
        }
    }

    private static long clamp(long micros) {
        return Math.max(0, Math.min(HIGHEST_MICROS, micros));
    }

    static Map<String, Long> snapshot(Map<String, LongAdder> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
