package org.chargeedge.upstream.internal;

import java.net.URI;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * The log of the upstream links' failed connection attempts, rate-limited: each kind of problem
 * of a charger is logged the first time, then at most once per interval (10 minutes unless told
 * otherwise) with how often it happened since its last line; an INFO line says when the link is
 * up again, after how many failed attempts. A site whose internet is down for a day thus logs a
 * few lines per charger and hour, not one per reconnect attempt.
 *
 * <p>Time is taken from a monotonic clock ({@link System#nanoTime} unless one is injected): a
 * change of the wall clock (NTP after a boot) neither floods nor silences the log.
 *
 * <p>Threads: one log serves every link, and the links' attempts fail and succeed on the HTTP
 * client's threads, several chargers at once. The state is a {@link ConcurrentHashMap} by charge
 * point id; each charger's entry is changed only inside {@code compute}, which runs atomically
 * per key, and the line is written after it, outside any lock.
 */
final class ProblemLog {

    /** Where lines go: the link's logger, or a list in tests. */
    @FunctionalInterface
    interface Sink {
        void log(Level level, String line);
    }

    static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(10);

    private final Sink sink;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<String, Charger> chargers = new ConcurrentHashMap<>();

    /** Per charger: since when and how often its link failed, and the last line of each kind. */
    private static final class Charger {
        final long firstFailure;
        int failures;
        LinkProblem last;
        final Map<LinkProblem.Kind, Line> lines = new EnumMap<>(LinkProblem.Kind.class);

        Charger(long now) {
            this.firstFailure = now;
        }
    }

    /** When a kind was last written, and how often it came since without a line. */
    private static final class Line {
        long writtenAt;
        int unwritten;
    }

    /** Writes to {@code logger}, each kind at most once per 10 minutes and charger. */
    ProblemLog(Logger logger) {
        this(sink(logger), DEFAULT_INTERVAL, System::nanoTime);
    }

    /**
     * @param interval the least time between two lines of the same charger and kind
     * @param nanoTime a monotonic clock in nanoseconds
     */
    ProblemLog(Sink sink, Duration interval, LongSupplier nanoTime) {
        this.sink = sink;
        this.intervalNanos = interval.toNanos();
        this.nanoTime = nanoTime;
    }

    /** A sink writing each line at its level to an slf4j logger. */
    static Sink sink(Logger logger) {
        return (level, line) -> {
            switch (level) {
                case ERROR -> logger.error(line);
                case WARN -> logger.warn(line);
                case INFO -> logger.info(line);
                case DEBUG -> logger.debug(line);
                case TRACE -> logger.trace(line);
            }
        };
    }

    /**
     * An attempt to open the charger's link failed: logged at the problem's level if its kind is
     * new for the charger or its last line is older than the interval, else only counted.
     *
     * @param retryIn the delay before the next attempt
     * @return whether a line was written
     */
    boolean failed(String chargePointId, URI uri, LinkProblem problem, Duration retryIn) {
        long now = nanoTime.getAsLong();
        int[] repeats = {-1};
        long[] since = {0};
        chargers.compute(chargePointId, (id, c) -> {
            Charger charger = c != null ? c : new Charger(now);
            charger.failures++;
            charger.last = problem;
            Line line = charger.lines.get(problem.kind());
            if (line == null) {
                line = new Line();
                line.writtenAt = now;
                charger.lines.put(problem.kind(), line);
                repeats[0] = 0;
            } else if (now - line.writtenAt >= intervalNanos) {
                repeats[0] = line.unwritten + 1;
                since[0] = now - line.writtenAt;
                line.writtenAt = now;
                line.unwritten = 0;
            } else {
                line.unwritten++;
            }
            return charger;
        });
        if (repeats[0] < 0) {
            return false;
        }
        String pace = problem.slowRetry() ? " (reconnectMaxMillis: this does not go away by itself)" : "";
        String count = repeats[0] > 1 ? " (" + repeats[0] + " times in the last " + minutes(since[0]) + ")" : "";
        sink.log(problem.level(), chargePointId + ": upstream connection to " + uri + " failed: "
                + problem.explanation() + "." + count + " Retrying in " + seconds(retryIn) + pace
                + "; the site goes on locally");
        sink.log(Level.DEBUG, chargePointId + ": upstream connection failure in detail: " + problem.technical());
        return true;
    }

    /**
     * The charger's link is up: the link-up INFO line, saying after how many failed attempts when
     * there were some. Forgets the charger's problems: the next failure is logged at once.
     */
    void up(String chargePointId, URI uri) {
        Charger charger = chargers.remove(chargePointId);
        if (charger == null) {
            sink.log(Level.INFO, chargePointId + ": upstream link up (" + uri + ")");
            return;
        }
        long took = nanoTime.getAsLong() - charger.firstFailure;
        sink.log(Level.INFO, chargePointId + ": upstream link up (" + uri + ") after " + charger.failures
                + " failed attempt" + (charger.failures == 1 ? "" : "s") + " in " + minutes(took) + "; last problem: "
                + charger.last.summary());
    }

    /** The charger's link is closed for good: nothing of it is kept. */
    void forget(String chargePointId) {
        chargers.remove(chargePointId);
    }

    /** Failed attempts since the charger's link was last up; 0 when it is up or never failed. */
    int failures(String chargePointId) {
        int[] failures = {0};
        // Read under the same per-key atomicity the writes have.
        chargers.computeIfPresent(chargePointId, (id, c) -> {
            failures[0] = c.failures;
            return c;
        });
        return failures[0];
    }

    private static String minutes(long nanos) {
        long seconds = Duration.ofNanos(nanos).toSeconds();
        if (seconds < 120) {
            return seconds + " s";
        }
        long minutes = Math.round(seconds / 60.0);
        return minutes < 180 ? minutes + " min" : Math.round(minutes / 60.0) + " h";
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms < 10_000 ? ms + " ms" : Math.round(ms / 1000.0) + " s";
    }
}
