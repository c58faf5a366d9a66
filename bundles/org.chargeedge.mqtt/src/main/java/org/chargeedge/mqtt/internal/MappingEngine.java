package org.chargeedge.mqtt.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

import org.chargeedge.api.energy.Measurement;
import org.chargeedge.api.energy.Measurement.Timing;
import org.chargeedge.api.energy.MeasurementKey;
import org.chargeedge.api.energy.MeasurementSink;
import org.chargeedge.api.energy.Meter;
import org.chargeedge.api.energy.Quantity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Turns MQTT messages into measurements by a fixed list of {@link Mapping}s.
 * Pure: no broker, no OSGi; the same engine runs in the tests and behind a
 * live subscription. A payload is parsed at most once however many mappings
 * read it. Nothing a device publishes can throw out of {@link #onMessage}.
 *
 * <p>How old a value is: the arrival time, unless the payload's device time
 * carries an offset (or is epoch time) and agrees with the gateway's clock
 * within {@link #CLOCK_TOLERANCE}. A device time that is not trusted is not
 * turned into staleness: its skew is reported ({@link #lastSkew()}) and the
 * arrival counts. A retained message replays a value of unknown age
 * ({@link Timing#AGE_UNKNOWN}) unless its device time is trusted; a live
 * message confirms it. Values of an {@link Mapping#alive() alive group}
 * (devices that publish on change only) are confirmed by any live message of
 * their group. {@link Gate}s make values unknown while a device's validity
 * flag says so.
 */
final class MappingEngine {

    /** How far a trusted device time may be from the arrival. */
    static final Duration CLOCK_TOLERANCE = Duration.ofSeconds(60);
    private static final Logger LOG = LoggerFactory.getLogger(MappingEngine.class);

    /** Sums in progress: the last value of each term, when it was measured, and whether it was a real value. */
    private static final class Sum {
        final double[] values;
        final Instant[] at;
        final boolean[] real;
        final boolean[] ageUnknown;
        final int[] nullGroup;
        Duration staleAfter;
        String alive;
        String source;
        Instant emitted;

        Sum(int count) {
            values = new double[count];
            at = new Instant[count];
            real = new boolean[count];
            ageUnknown = new boolean[count];
            nullGroup = new int[count];
            Arrays.fill(nullGroup, -1);
        }

        /** @return the oldest term's time, or null while the sum is unknown */
        Instant oldest() {
            Instant oldest = null;
            // bit g: null group g has a term / has a real value (a preset has a handful of groups)
            long groups = 0;
            long groupsWithValue = 0;
            for (int i = 0; i < at.length; i++) {
                if (nullGroup[i] >= 0) {
                    groups |= 1L << nullGroup[i];
                    if (real[i]) {
                        groupsWithValue |= 1L << nullGroup[i];
                    }
                }
                Instant t = at[i];
                if (t == null) {
                    return null;
                }
                if (oldest == null || t.isBefore(oldest)) {
                    oldest = t;
                }
            }
            return groupsWithValue == groups ? oldest : null;
        }

        boolean anyAgeUnknown() {
            for (boolean b : ageUnknown) {
                if (b) {
                    return true;
                }
            }
            return false;
        }

        double total() {
            double s = 0;
            for (double v : values) {
                s += v;
            }
            return s;
        }

        void forget() {
            Arrays.fill(at, null);
            Arrays.fill(real, false);
            Arrays.fill(ageUnknown, false);
        }
    }

    /** The last value written for a direct key, so a live message of its group can confirm it. */
    private record Last(double value, String source, Instant emitted, Duration staleAfter, String alive,
                        boolean ageUnknown) {}

    /** When a message's values were measured, and how far that is to be trusted. */
    private record Timed(Instant at, Timing timing, Duration skew) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Mapping> mappings;
    private final List<Gate> gates;
    private final MeasurementSink sink;
    private final Clock clock;
    private final String name;
    /*
     * Guarded by this: messages of one connection arrive on one thread (Paho's callback thread),
     * the lock only keeps tests and shell honest. Plain maps: never touched outside the lock.
     */
    private final Map<MeasurementKey, Sum> sums = new HashMap<>();
    private final Map<MeasurementKey, Last> last = new HashMap<>();
    /** Keys whose validity flag says invalid now. */
    private final Set<MeasurementKey> closed = new HashSet<>();
    private Instant lastGridMessage;

    final LongAdder messages = new LongAdder();
    final LongAdder values = new LongAdder();
    final LongAdder unknown = new LongAdder();
    final LongAdder invalid = new LongAdder();
    /** Messages whose device time could not be read (their values count from arrival). */
    final LongAdder badTime = new LongAdder();
    /** Values replayed from retained messages with no trusted time: age unknown. */
    final LongAdder replayed = new LongAdder();
    /** When the last message arrived (written on the callback thread, read by the status). */
    private volatile Instant lastMessageAt;
    private volatile String lastInvalid = "";
    private volatile String lastBadTime = "";
    /** Device clock minus arrival, of the last device time that was not trusted; null if none. */
    private volatile Duration lastSkew;
    private Duration loggedSkew;
    /** Between the last two grid power messages; null before the second. */
    private volatile Duration gridInterval;
    /** Set once before the first message (see {@link #watchGrid}); null: grid readings are not watched. */
    private volatile Duration reactionTime;
    private volatile String advice = "";
    private boolean slowLogged;

    MappingEngine(String name, List<Mapping> mappings, MeasurementSink sink, Clock clock) {
        this(name, mappings, List.of(), sink, clock);
    }

    MappingEngine(String name, List<Mapping> mappings, List<Gate> gates, MeasurementSink sink, Clock clock) {
        this.name = name;
        this.mappings = List.copyOf(mappings);
        this.gates = List.copyOf(gates);
        this.sink = sink;
        this.clock = clock;
        for (Mapping m : this.mappings) {
            if (m.part() != null) {
                Sum sum = sums.computeIfAbsent(m.key(), k -> new Sum(m.part().count()));
                sum.nullGroup[m.part().index()] = m.part().nullGroup();
                sum.staleAfter = m.staleAfter();
                sum.alive = m.alive();
            }
        }
    }

    List<Mapping> mappings() {
        return mappings;
    }

    List<Gate> gates() {
        return gates;
    }

    /** The distinct topic filters to subscribe to, in mapping order. */
    Set<String> filters() {
        Set<String> out = new LinkedHashSet<>();
        mappings.forEach(m -> out.add(m.topic().filter()));
        gates.forEach(g -> out.add(g.topic().filter()));
        return out;
    }

    Set<MeasurementKey> keys() {
        Set<MeasurementKey> out = new LinkedHashSet<>();
        mappings.forEach(m -> out.add(m.key()));
        return out;
    }

    /** When the last message arrived; null if none yet. */
    Instant lastMessageAt() {
        return lastMessageAt;
    }

    /** The longest time one of this engine's values stays valid: silent for longer, all of them are stale. */
    Duration longestStaleAfter() {
        return mappings.stream().map(Mapping::staleAfter).max(Duration::compareTo).orElse(Duration.ZERO);
    }

    String lastInvalid() {
        return lastInvalid;
    }

    String lastBadTime() {
        return lastBadTime;
    }

    Duration lastSkew() {
        return lastSkew;
    }

    Duration gridInterval() {
        return gridInterval;
    }

    synchronized Set<MeasurementKey> invalidKeys() {
        return Set.copyOf(closed);
    }

    /** A live message (tests, and callers that do not know). */
    void onMessage(String topic, byte[] payload) {
        onMessage(topic, payload, false);
    }

    synchronized void onMessage(String topic, byte[] payload, boolean retained) {
        messages.increment();
        Instant now = clock.instant();
        lastMessageAt = now;
        boolean empty = isBlank(payload);
        for (Gate g : gates) {
            if (g.topic().matches(topic)) {
                gate(g, !empty && Gate.opens(new String(payload, StandardCharsets.UTF_8)), topic);
            }
        }
        boolean parsed = false;
        JsonNode document = null;
        String text = null;
        DeviceTime timeRead = null;
        Timed received = new Timed(now, retained ? Timing.AGE_UNKNOWN : Timing.RECEIVED, null);
        Timed timed = received;
        // allocated only for alive groups: most messages need neither
        Set<MeasurementKey> written = null;
        Set<String> aliveGroups = null;
        for (Mapping m : mappings) {
            if (!m.topic().matches(topic)) {
                continue;
            }
            if (m.alive() != null && !retained) {
                if (aliveGroups == null) {
                    aliveGroups = new HashSet<>(2);
                    written = new HashSet<>();
                }
                aliveGroups.add(m.alive());
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
                    timed = deviceTime(m.time(), document, topic, now, retained, payload);
                }
            } else {
                if (text == null) {
                    text = new String(payload, StandardCharsets.UTF_8);
                }
                r = Reading.parseText(text);
            }
            if (apply(m, r, topic, m.time() != null && m.time() == timeRead ? timed : received, payload)
                    && written != null) {
                written.add(m.key());
            }
        }
        if (aliveGroups != null) {
            confirm(aliveGroups, written, now);
        }
    }

    private void gate(Gate g, boolean open, String topic) {
        for (MeasurementKey k : g.keys()) {
            if (open) {
                closed.remove(k);
            } else if (closed.add(k) || last.containsKey(k)) {
                forget(k, topic);
            }
        }
    }

    private void forget(MeasurementKey k, String source) {
        last.remove(k);
        Sum s = sums.get(k);
        if (s != null) {
            s.forget();
        }
        sink.unknown(k, source);
    }

    /**
     * The device's time when the payload carries one that can be trusted (an
     * offset, and close to the arrival; or, replayed, not ahead of it), never
     * later than the arrival; else the arrival, with the skew reported. An
     * unreadable time is counted.
     */
    private Timed deviceTime(DeviceTime t, JsonNode document, String topic, Instant now, boolean retained,
                             byte[] payload) {
        Timing fallback = retained ? Timing.AGE_UNKNOWN : Timing.RECEIVED;
        DeviceTime.Result r = t.read(document, clock.getZone());
        switch (r.kind()) {
            case AT -> {
                Duration skew = Duration.between(now, r.at());
                boolean notAhead = skew.compareTo(CLOCK_TOLERANCE) <= 0;
                if (r.zoned() && notAhead && (retained || skew.abs().compareTo(CLOCK_TOLERANCE) <= 0)) {
                    return new Timed(r.at().isAfter(now) ? now : r.at(), Timing.MEASURED, null);
                }
                if (retained) {
                    return new Timed(now, fallback, null);
                }
                reportSkew(skew, topic, r.zoned());
                return new Timed(now, fallback, skew);
            }
            case INVALID -> {
                badTime.increment();
                lastBadTime = topic + ": " + abbreviate(payload);
                return new Timed(now, fallback, null);
            }
            default -> {
                return new Timed(now, fallback, null);
            }
        }
    }

    private void reportSkew(Duration skew, String topic, boolean zoned) {
        lastSkew = skew;
        // a constant skew is logged once; it is logged again only when it changes by more than the tolerance
        if (loggedSkew == null || loggedSkew.minus(skew).abs().compareTo(CLOCK_TOLERANCE) > 0) {
            loggedSkew = skew;
            if (skew.abs().compareTo(CLOCK_TOLERANCE) > 0 || !zoned) {
                LOG.warn("MQTT input {}: the device time on {} is {} from the gateway's clock{}; its values count "
                        + "from their arrival", name, topic, describeSkew(skew),
                        zoned ? "" : " and carries no UTC offset");
            }
        }
    }

    static String describeSkew(Duration skew) {
        long s = Math.abs(skew.toSeconds());
        String amount = s >= 3600 ? String.format("%d h %02d min", s / 3600, s % 3600 / 60)
                : s >= 60 ? String.format("%d min %02d s", s / 60, s % 60) : s + " s";
        return amount + (skew.isNegative() ? " behind" : " ahead");
    }

    /** @return whether the mapping wrote its key (a value or unknown) */
    private boolean apply(Mapping m, Reading r, String topic, Timed timed, byte[] payload) {
        switch (r.kind()) {
            case ABSENT -> {
                return false;
            }
            case INVALID -> {
                invalid.increment();
                lastInvalid = topic + ": " + abbreviate(payload);
            }
            case UNKNOWN -> unknown.increment();
            case VALUE -> values.increment();
        }
        if (closed.contains(m.key())) {
            // the device says its values are invalid: whatever it repeats stays unknown
            return false;
        }
        if (r.kind() == Reading.Kind.VALUE && timed.timing() == Timing.AGE_UNKNOWN) {
            replayed.increment();
        }
        noteGrid(m.key(), timed);
        Mapping.Part part = m.part();
        if (part == null) {
            if (r.kind() == Reading.Kind.VALUE) {
                double v = r.value() * m.factor();
                sink.accept(new Measurement(m.key(), v, timed.at(), m.staleAfter(), topic, timed.timing(),
                        timed.skew()));
                last.put(m.key(), new Last(v, topic, clock.instant(), m.staleAfter(), m.alive(),
                        timed.timing() == Timing.AGE_UNKNOWN));
            } else {
                last.remove(m.key());
                sink.unknown(m.key(), topic);
            }
            return true;
        }
        Sum sum = sums.get(m.key());
        int i = part.index();
        sum.source = topic;
        if (r.kind() == Reading.Kind.VALUE || part.nullGroup() >= 0) {
            boolean real = r.kind() == Reading.Kind.VALUE;
            sum.values[i] = real ? r.value() * m.factor() : 0;
            sum.at[i] = timed.at();
            sum.real[i] = real;
            sum.ageUnknown[i] = timed.timing() == Timing.AGE_UNKNOWN;
            emitSum(m.key(), sum, timed.timing() == Timing.MEASURED ? Timing.MEASURED : Timing.RECEIVED,
                    timed.skew());
        } else {
            sum.at[i] = null;
            sum.real[i] = false;
            sink.unknown(m.key(), topic);
        }
        return true;
    }

    private void emitSum(MeasurementKey key, Sum sum, Timing timing, Duration skew) {
        Instant oldest = sum.oldest();
        if (oldest != null) {
            sum.emitted = clock.instant();
            sink.accept(new Measurement(key, sum.total(), oldest, sum.staleAfter, sum.source,
                    sum.anyAgeUnknown() ? Timing.AGE_UNKNOWN : timing, skew));
        } else {
            sink.unknown(key, sum.source);
        }
    }

    /**
     * A live message of a group whose device publishes on change only: the
     * group's values it did not carry are still current. Each is written
     * again (measured now) once a quarter of its timeout has passed, or at
     * once if its age was unknown, so a quiet value does not expire while the
     * device is alive, and the model is not rewritten on every message.
     */
    private void confirm(Set<String> groups, Set<MeasurementKey> written, Instant now) {
        for (Map.Entry<MeasurementKey, Last> e : last.entrySet()) {
            Last l = e.getValue();
            MeasurementKey k = e.getKey();
            if (l.alive() == null || !groups.contains(l.alive()) || written.contains(k) || closed.contains(k)
                    || !due(l.ageUnknown(), l.emitted(), l.staleAfter(), now)) {
                continue;
            }
            sink.accept(new Measurement(k, l.value(), now, l.staleAfter(), l.source(), Timing.RECEIVED, null));
            e.setValue(new Last(l.value(), l.source(), now, l.staleAfter(), l.alive(), false));
        }
        for (Map.Entry<MeasurementKey, Sum> e : sums.entrySet()) {
            Sum s = e.getValue();
            MeasurementKey k = e.getKey();
            if (s.alive == null || !groups.contains(s.alive) || written.contains(k) || closed.contains(k)
                    || s.oldest() == null || !due(s.anyAgeUnknown(), s.emitted, s.staleAfter, now)) {
                continue;
            }
            Arrays.fill(s.at, now);
            Arrays.fill(s.ageUnknown, false);
            emitSum(k, s, Timing.RECEIVED, null);
        }
    }

    private static boolean due(boolean ageUnknown, Instant emitted, Duration staleAfter, Instant now) {
        return ageUnknown || emitted == null || !now.isBefore(emitted.plus(staleAfter.dividedBy(4)));
    }

    /** Warns (log) when grid power arrives more slowly than {@code reaction}, saying what to set on the device. */
    void watchGrid(Duration reaction, String whatToSet) {
        this.advice = whatToSet;
        this.reactionTime = reaction;
    }

    /** Measures how often the grid power arrives (live messages only), for the reaction-time warning. */
    private void noteGrid(MeasurementKey key, Timed timed) {
        if (!key.meter().equals(Meter.GRID) || key.quantity() != Quantity.POWER || timed.timing() == Timing.AGE_UNKNOWN) {
            return;
        }
        Instant now = clock.instant();
        if (lastGridMessage != null) {
            Duration gap = Duration.between(lastGridMessage, now);
            // one message carries several grid values (phases, total): only gaps between messages count
            if (gap.toMillis() >= 200) {
                gridInterval = gap;
                lastGridMessage = now;
                Duration reaction = reactionTime;
                if (reaction != null && gap.compareTo(reaction) > 0 && !slowLogged) {
                    slowLogged = true;
                    LOG.warn("MQTT input {}: grid power arrives every {} s, too slowly for the load balancer to react "
                            + "within {} s: {}", name, gap.toSeconds(), reaction.toSeconds(), advice);
                } else if (reaction != null && gap.compareTo(reaction) <= 0 && slowLogged) {
                    slowLogged = false;
                    LOG.info("MQTT input {}: grid power arrives every {} s again", name, gap.toSeconds());
                }
            }
        } else {
            lastGridMessage = now;
        }
    }

    /** Every value this engine wrote becomes unknown: its input is going away. */
    synchronized void forgetAll() {
        for (MeasurementKey k : keys()) {
            sink.unknown(k, name);
        }
        last.clear();
        for (Sum s : sums.values()) {
            s.forget();
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
