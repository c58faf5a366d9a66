package org.chargeedge.energy.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import org.chargeedge.api.energy.EnergySnapshot;
import org.chargeedge.api.energy.Measurement;
import org.chargeedge.api.energy.MeasurementKey;

/**
 * The latest measurement per key, and which of them are fresh. Pure: no
 * OSGi, no I/O.
 *
 * <p>Freshness is judged on the monotonic clock, so a wall-clock jump after a
 * power cut (NTP answering late) neither revives stale values nor kills
 * fresh ones. A measurement that was already old when it arrived (its
 * {@code measuredAt} lies in the past, as with retained or batched data)
 * starts with that age.
 */
final class EnergyModel {

    /** A measurement and the monotonic time after which it is unknown. */
    private record Entry(Measurement measurement, long expiresAtNanos) {}

    private final Clock clock;
    private final LongSupplier nanoTime;
    /**
     * Written by every input's thread (one per MQTT connection, later Modbus
     * pollers), read by any consumer: concurrent so that writers of different
     * keys never wait for each other. Per key the last write wins: arrival
     * order, not measuredAt, because a wall clock that jumps back would
     * otherwise freeze a key until it caught up.
     */
    private final Map<MeasurementKey, Entry> latest = new ConcurrentHashMap<>();

    EnergyModel(Clock clock, LongSupplier nanoTime) {
        this.clock = clock;
        this.nanoTime = nanoTime;
    }

    /**
     * @return whether the measurement is fresh; a stale one or one of unknown
     *         age is held back (a snapshot lists it as withheld): it is unknown
     */
    boolean accept(Measurement measurement) {
        long now = nanoTime.getAsLong();
        // a value of unknown age counts from its arrival, only so that it too goes stale in the end
        Duration ageAtArrival = measurement.ageKnown() ? Duration.between(measurement.measuredAt(), clock.instant())
                : Duration.ZERO;
        long age = ageAtArrival.isNegative() ? 0 : saturatedNanos(ageAtArrival);
        long remaining = saturatedNanos(measurement.staleAfter()) - age;
        latest.put(measurement.key(), new Entry(measurement, now + remaining));
        return remaining >= 0 && measurement.ageKnown();
    }

    /** @return whether the key was known before */
    boolean unknown(MeasurementKey key) {
        return latest.remove(key) != null;
    }

    EnergySnapshot snapshot() {
        long now = nanoTime.getAsLong();
        Instant takenAt = clock.instant();
        Map<MeasurementKey, Measurement> fresh = new HashMap<>();
        Map<MeasurementKey, Measurement> withheld = new HashMap<>();
        for (Entry e : latest.values()) {
            Measurement m = e.measurement();
            // overflow-safe comparison of monotonic times
            boolean inTime = now - e.expiresAtNanos() <= 0;
            if (inTime && m.ageKnown()) {
                fresh.put(m.key(), m);
            } else if (inTime) {
                withheld.put(m.key(), m);
            } else {
                // stale, whatever its timing was: the snapshot reports it as such
                withheld.put(m.key(), m.ageKnown() ? m : new Measurement(m.key(), m.value(), m.measuredAt(),
                        m.staleAfter(), m.source(), Measurement.Timing.RECEIVED, m.clockSkew()));
            }
        }
        return new EnergySnapshot(takenAt, fresh, withheld);
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return d.isNegative() ? Long.MIN_VALUE / 2 : Long.MAX_VALUE / 2;
        }
    }
}
