package org.chargeedge.api.energy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Prices per kWh for consecutive intervals of time, and how long they may be trusted.
 *
 * @param intervals the intervals, in order of their start, never overlapping (gaps are allowed); at least one
 * @param receivedAt when the series arrived
 * @param validUntil when it becomes stale: its arrival plus the configured maximum age
 * @param source where it comes from, in words (for example {@code MQTT energy/prices})
 */
public record PriceSeries(List<Interval> intervals, Instant receivedAt, Instant validUntil, String source) {

    /**
     * One interval, [start, end).
     *
     * @param pricePerKwh the price per kWh (spot prices may be negative)
     */
    public record Interval(Instant start, Instant end, double pricePerKwh) {
        public Interval {
            Objects.requireNonNull(start, "start");
            Objects.requireNonNull(end, "end");
            if (!end.isAfter(start)) {
                throw new IllegalArgumentException("an interval ends at or before its start: " + start + " - " + end);
            }
            if (!Double.isFinite(pricePerKwh)) {
                throw new IllegalArgumentException("a price is a finite number, not " + pricePerKwh);
            }
        }
    }

    /** @throws IllegalArgumentException without intervals, or when two overlap */
    public PriceSeries {
        Objects.requireNonNull(receivedAt, "receivedAt");
        Objects.requireNonNull(validUntil, "validUntil");
        List<Interval> sorted = new ArrayList<>(intervals);
        sorted.sort(Comparator.comparing(Interval::start));
        if (sorted.isEmpty()) {
            throw new IllegalArgumentException("a price series needs at least one interval");
        }
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).start().isBefore(sorted.get(i - 1).end())) {
                throw new IllegalArgumentException("intervals overlap: " + sorted.get(i - 1).start() + " - "
                        + sorted.get(i - 1).end() + " and " + sorted.get(i).start() + " - " + sorted.get(i).end());
            }
        }
        intervals = List.copyOf(sorted);
    }

    /** The start of the first interval. */
    public Instant start() {
        return intervals.get(0).start();
    }

    /** The end of the last interval. */
    public Instant end() {
        return intervals.get(intervals.size() - 1).end();
    }

    /** Whether it may be used at {@code now}: not older than its maximum age, and not past its end. */
    public boolean usableAt(Instant now) {
        return now.isBefore(validUntil) && now.isBefore(end());
    }

    /** The price at {@code t}, empty where no interval covers it. */
    public OptionalDouble priceAt(Instant t) {
        for (Interval i : intervals) {
            if (!t.isBefore(i.start()) && t.isBefore(i.end())) {
                return OptionalDouble.of(i.pricePerKwh());
            }
        }
        return OptionalDouble.empty();
    }
}
