package org.chargeedge.mqtt.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

import org.chargeedge.api.energy.Measurement;
import org.chargeedge.api.energy.MeasurementKey;
import org.chargeedge.api.energy.MeasurementSink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Turns MQTT messages into measurements by a fixed list of {@link Mapping}s.
 * Pure: no broker, no OSGi; the same engine runs in the tests and behind a
 * live subscription. A payload is parsed at most once however many mappings
 * read it. Nothing a device publishes can throw out of {@link #onMessage}.
 */
final class MappingEngine {

    /** Sums in progress: the last value of each term and when it was measured. */
    private static final class Sum {
        final double[] values;
        final Instant[] at;

        Sum(int count) {
            values = new double[count];
            at = new Instant[count];
        }

        /** @return the oldest term's time, or null while a term is unknown */
        Instant oldest() {
            Instant oldest = null;
            for (Instant t : at) {
                if (t == null) {
                    return null;
                }
                if (oldest == null || t.isBefore(oldest)) {
                    oldest = t;
                }
            }
            return oldest;
        }

        double total() {
            double s = 0;
            for (double v : values) {
                s += v;
            }
            return s;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Mapping> mappings;
    private final MeasurementSink sink;
    private final Clock clock;
    private final String name;
    /** Guarded by this: messages of one connection arrive on one thread, the lock only keeps tests and shell honest. */
    private final Map<MeasurementKey, Sum> sums = new HashMap<>();

    final LongAdder messages = new LongAdder();
    final LongAdder values = new LongAdder();
    final LongAdder unknown = new LongAdder();
    final LongAdder invalid = new LongAdder();
    /** Messages whose device time could not be read (their values count from arrival). */
    final LongAdder badTime = new LongAdder();
    private volatile String lastInvalid = "";
    private volatile String lastBadTime = "";

    MappingEngine(String name, List<Mapping> mappings, MeasurementSink sink, Clock clock) {
        this.name = name;
        this.mappings = List.copyOf(mappings);
        this.sink = sink;
        this.clock = clock;
        for (Mapping m : this.mappings) {
            if (m.part() != null) {
                sums.computeIfAbsent(m.key(), k -> new Sum(m.part().count()));
            }
        }
    }

    List<Mapping> mappings() {
        return mappings;
    }

    /** The distinct topic filters to subscribe to, in mapping order. */
    Set<String> filters() {
        Set<String> out = new LinkedHashSet<>();
        mappings.forEach(m -> out.add(m.topic().filter()));
        return out;
    }

    Set<MeasurementKey> keys() {
        Set<MeasurementKey> out = new LinkedHashSet<>();
        mappings.forEach(m -> out.add(m.key()));
        return out;
    }

    String lastInvalid() {
        return lastInvalid;
    }

    String lastBadTime() {
        return lastBadTime;
    }

    synchronized void onMessage(String topic, byte[] payload) {
        messages.increment();
        Instant now = clock.instant();
        boolean parsed = false;
        JsonNode document = null;
        boolean empty = isBlank(payload);
        String text = null;
        DeviceTime timeRead = null;
        Instant measuredAt = now;
        for (Mapping m : mappings) {
            if (!m.topic().matches(topic)) {
                continue;
            }
            Reading r;
            if (empty) {
                r = Reading.UNKNOWN;
            } else if (m.extraction().json()) {
                if (!parsed) {
                    parsed = true;
                    document = parse(payload);
                }
                r = m.extraction().read(document);
                if (m.time() != null && m.time() != timeRead) {
                    // presets share one DeviceTime per topic: read (and count) once per message
                    timeRead = m.time();
                    measuredAt = deviceTime(m.time(), document, topic, now, payload);
                }
            } else {
                if (text == null) {
                    text = new String(payload, StandardCharsets.UTF_8);
                }
                r = Reading.parseText(text);
            }
            apply(m, r, topic, m.time() != null && m.time() == timeRead ? measuredAt : now, payload);
        }
    }

    /**
     * The device's time when the payload carries a readable one, never later
     * than the arrival (a device clock ahead must not make data fresher);
     * else the arrival time, an unreadable time being counted.
     */
    private Instant deviceTime(DeviceTime t, JsonNode document, String topic, Instant now, byte[] payload) {
        DeviceTime.Result r = t.read(document, clock.getZone());
        switch (r.kind()) {
            case AT -> {
                return r.at().isAfter(now) ? now : r.at();
            }
            case INVALID -> {
                badTime.increment();
                lastBadTime = topic + ": " + abbreviate(payload);
                return now;
            }
            default -> {
                return now;
            }
        }
    }

    private void apply(Mapping m, Reading r, String topic, Instant measuredAt, byte[] payload) {
        switch (r.kind()) {
            case ABSENT -> {
                return;
            }
            case INVALID -> {
                invalid.increment();
                lastInvalid = topic + ": " + abbreviate(payload);
            }
            case UNKNOWN -> unknown.increment();
            case VALUE -> values.increment();
        }
        Mapping.Part part = m.part();
        if (part == null) {
            if (r.kind() == Reading.Kind.VALUE) {
                sink.accept(new Measurement(m.key(), r.value() * m.factor(), measuredAt, m.staleAfter(), topic));
            } else {
                sink.unknown(m.key(), topic);
            }
            return;
        }
        Sum sum = sums.get(m.key());
        if (r.kind() == Reading.Kind.VALUE) {
            sum.values[part.index()] = r.value() * m.factor();
            sum.at[part.index()] = measuredAt;
            Instant oldest = sum.oldest();
            if (oldest != null) {
                sink.accept(new Measurement(m.key(), sum.total(), oldest, m.staleAfter(), topic));
            }
        } else {
            sum.at[part.index()] = null;
            sink.unknown(m.key(), topic);
        }
    }

    /** Every value this engine wrote becomes unknown: its input is going away. */
    synchronized void forgetAll() {
        for (MeasurementKey k : keys()) {
            sink.unknown(k, name);
        }
        for (Sum s : sums.values()) {
            java.util.Arrays.fill(s.at, null);
        }
    }

    private static JsonNode parse(byte[] payload) {
        try {
            return JSON.readTree(payload);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static boolean isBlank(byte[] payload) {
        for (byte b : payload) {
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return false;
            }
        }
        return true;
    }

    private static String abbreviate(byte[] payload) {
        String s = new String(payload, 0, Math.min(payload.length, 80), StandardCharsets.UTF_8);
        return payload.length > 80 ? s + "..." : s;
    }
}
