package org.chargeedge.centralsystem.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

import org.chargeedge.api.charger.CallStatistics;

/**
 * Counts the chargers' calls by action and outcome with their latency (see
 * {@link CallStatistics}). Calls are answered on many threads at once (network
 * threads, handler threads, the timer): a concurrent map of adders, whose keys
 * are bounded by the OCPP actions (plus "unknown") times the outcomes (a
 * CALLRESULT or one of the ten OCPP-J error codes), so it never grows with
 * what chargers send. Two levels (action, then outcome) so that recording allocates
 * nothing once a series exists: two lookups and two adder increments.
 */
final class CallMeter implements CallStatistics {

    private static final double[] BOUNDS = LATENCY_BOUNDS.stream().mapToDouble(Double::doubleValue).toArray();

    private static final class Series {
        final LongAdder[] buckets = new LongAdder[BOUNDS.length + 1];
        final DoubleAdder sum = new DoubleAdder();

        Series() {
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }
    }

    private final ConcurrentHashMap<String, ConcurrentHashMap<String, Series>> series = new ConcurrentHashMap<>();

    /** {@code action}: an OCPP action's name or {@link #UNKNOWN_ACTION}; latency from {@code receivedAt} to now. */
    void record(String action, String outcome, Instant receivedAt) {
        double seconds = Math.max(0, Duration.between(receivedAt, Instant.now()).toNanos() / 1e9);
        Series s = series.computeIfAbsent(action, a -> new ConcurrentHashMap<>())
                .computeIfAbsent(outcome, o -> new Series());
        s.sum.add(seconds);
        s.buckets[bucket(seconds)].increment();
    }

    static int bucket(double seconds) {
        for (int i = 0; i < BOUNDS.length; i++) {
            if (seconds <= BOUNDS[i]) {
                return i;
            }
        }
        return BOUNDS.length;
    }

    @Override
    public List<Calls> calls() {
        List<Calls> out = new ArrayList<>();
        series.forEach((action, byOutcome) -> byOutcome.forEach((outcome, s) -> {
            List<Long> counts = new ArrayList<>(s.buckets.length);
            long total = 0;
            for (LongAdder b : s.buckets) {
                long n = b.sum();
                counts.add(n);
                total += n;
            }
            out.add(new Calls(action, outcome, total, s.sum.sum(), counts));
        }));
        out.sort(Comparator.comparing(Calls::action).thenComparing(Calls::outcome));
        return out;
    }
}
