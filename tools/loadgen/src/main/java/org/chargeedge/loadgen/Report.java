package org.chargeedge.loadgen;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The result of one run: printed for people ({@link #human()}), as one machine-readable line
 * ({@link #LINE_PREFIX} followed by compact JSON) and optionally as a JSON file ({@link #prettyJson()}).
 * The JSON is described in readme.md.
 */
public final class Report {

    /** Prefix of the single machine-readable stdout line; the rest of the line is the JSON report. */
    public static final String LINE_PREFIX = "LOADGEN-RESULT ";

    /** Indented with two spaces and {@code "name": value}, for files people read. */
    static final ObjectWriter PRETTY = RunState.JSON.writer(new DefaultPrettyPrinter(
            Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                    .withObjectEmptySeparator("").withArrayEmptySeparator("")));

    private final Options options;

    double connectMs;
    int connected;
    int connectFailed;
    int closedCleanly;
    int closedForcibly;
    long rssStartKiB = -1;
    long rssConnectedKiB = -1;
    long rssKiB = -1;
    long rssMaxKiB = -1;
    long hwmKiB = -1;
    String rssProblem;

    private Map<String, Object> data;

    Report(Options options) {
        this.options = options;
    }

    /** WebSocket (and TLS) handshakes completed per second over the connect phase. */
    double handshakeRate() {
        return connectMs > 0 ? connected * 1000.0 / connectMs : 0;
    }

    void fill(Stats s, double measuredSeconds) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("tool", "chargeedge-loadgen");
        d.put("scenario", options.scenario);
        d.put("url", options.url);
        d.put("chargers", options.chargers);
        d.put("rate", options.rate);
        d.put("durationS", options.duration.toMillis() / 1000.0);
        d.put("warmupS", options.warmup.toMillis() / 1000.0);

        Map<String, Object> connect = new LinkedHashMap<>();
        connect.put("timeMs", round(connectMs, 1));
        connect.put("connected", connected);
        connect.put("failed", connectFailed);
        connect.put("handshakesPerSecond", round(handshakeRate(), 1));
        connect.put("errors", Stats.snapshot(s.connectErrors));
        d.put("connect", connect);

        Map<String, Object> calls = new LinkedHashMap<>();
        calls.put("sent", s.sent.sum());
        calls.put("answered", s.answered.sum());
        calls.put("results", s.callResults.sum());
        calls.put("callErrors", s.callErrors.sum());
        calls.put("timeouts", s.timeouts.sum());
        calls.put("lost", s.lost.sum());
        calls.put("lateAnswers", s.lateAnswers.sum());
        calls.put("incomingCalls", s.incomingCalls.sum());
        calls.put("measuredAnswered", s.measuredAnswered.sum());
        calls.put("perSecond", measuredSeconds > 0 ? round(s.measuredAnswered.sum() / measuredSeconds, 1) : 0.0);
        d.put("calls", calls);

        Map<String, Object> latency = histogram(s.latency);
        latency.put("coordinatedOmissionCorrected", options.rate > 0);
        d.put("latencyMs", latency);
        d.put("serviceTimeMs", histogram(s.serviceTime));

        Map<String, Long> byKind = Stats.snapshot(s.errors);
        long total = byKind.values().stream().mapToLong(Long::longValue).sum();
        Map<String, Object> errors = new LinkedHashMap<>();
        errors.put("total", total);
        errors.put("byKind", byKind);
        d.put("errors", errors);

        Map<String, Long> warnings = new TreeMap<>(Stats.snapshot(s.warnings));
        if (closedForcibly > 0) {
            warnings.put("close-not-acknowledged", (long) closedForcibly);
        }
        d.put("warnings", warnings);

        Map<String, Object> close = new LinkedHashMap<>();
        close.put("clean", closedCleanly);
        close.put("forced", closedForcibly);
        d.put("close", close);

        if (options.gatewayPid > 0) {
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("pid", options.gatewayPid);
            g.put("rssStartKiB", rssStartKiB);
            g.put("rssConnectedKiB", rssConnectedKiB);
            g.put("rssKiB", rssKiB);
            g.put("rssMaxKiB", rssMaxKiB);
            g.put("hwmKiB", hwmKiB);
            g.put("problem", rssProblem);
            d.put("gateway", g);
        } else {
            d.put("gateway", null);
        }
        boolean ok = connectFailed == 0 && connected > 0 && total == 0;
        d.put("ok", ok);
        d.put("exitCode", ok ? LoadGenerator.EXIT_OK : LoadGenerator.EXIT_FAILED);
        data = d;
    }

    private static Map<String, Object> histogram(Histogram h) {
        Map<String, Object> m = new LinkedHashMap<>();
        long n = h.getTotalCount();
        m.put("count", n);
        m.put("p50", ms(n == 0 ? 0 : h.getValueAtPercentile(50)));
        m.put("p90", ms(n == 0 ? 0 : h.getValueAtPercentile(90)));
        m.put("p99", ms(n == 0 ? 0 : h.getValueAtPercentile(99)));
        m.put("p999", ms(n == 0 ? 0 : h.getValueAtPercentile(99.9)));
        m.put("max", ms(n == 0 ? 0 : h.getMaxValue()));
        m.put("mean", n == 0 ? 0.0 : round(h.getMean() / 1000.0, 3));
        return m;
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }

    private static double round(double v, int decimals) {
        double f = Math.pow(10, decimals);
        return Math.round(v * f) / f;
    }

    /** The report as a map (the JSON structure). */
    public Map<String, Object> data() {
        return data;
    }

    public int exitCode() {
        return ((Number) data.get("exitCode")).intValue();
    }

    public String json() {
        return write(RunState.JSON.writer());
    }

    public String prettyJson() {
        return write(PRETTY) + "\n";
    }

    private String write(ObjectWriter writer) {
        try {
            return writer.writeValueAsString(data);
        } catch (JsonProcessingException e) { // maps, numbers, strings and booleans always serialize
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> section(String name) {
        return (Map<String, Object>) data.get(name);
    }

    public String human() {
        StringBuilder b = new StringBuilder(1024);
        Map<String, Object> calls = section("calls");
        Map<String, Object> connect = section("connect");
        Map<String, Object> errors = section("errors");
        b.append(String.format(Locale.ROOT, "== ChargeEdge OCPP load generator: scenario %s, %d chargers, rate %s, %s warm-up + %s measured%n",
                options.scenario, options.chargers, options.rate > 0 ? fmt(options.rate) + " calls/s" : "unlimited",
                LoadGenerator.human(options.warmup), LoadGenerator.human(options.duration)));
        row(b, "url", options.url);
        row(b, "connect", String.format(Locale.ROOT, "%d/%d connected in %.0f ms (first start to last open, %.0f"
                + " handshakes/s), %d failed%s", connected, options.chargers, connectMs, handshakeRate(), connectFailed,
                connectFailed > 0 ? " " + connect.get("errors") : ""));
        row(b, "calls", String.format(Locale.ROOT, "sent %d, answered %d (results %d, CALLERRORs %d), timeouts %d, lost on close %d",
                calls.get("sent"), calls.get("answered"), calls.get("results"), calls.get("callErrors"),
                calls.get("timeouts"), calls.get("lost")));
        row(b, "throughput", String.format(Locale.ROOT, "%s calls/s in the measured window (%d answers in %s)",
                fmt(((Number) calls.get("perSecond")).doubleValue()), calls.get("measuredAnswered"),
                LoadGenerator.human(options.duration)));
        row(b, "latency ms", latencyLine(section("latencyMs"))
                + (options.rate > 0 ? "  [from intended send time: coordinated omission corrected]" : "  [send to answer]"));
        if (options.rate > 0) {
            row(b, "service ms", latencyLine(section("serviceTimeMs")) + "  [send to answer]");
        }
        long total = ((Number) errors.get("total")).longValue();
        row(b, "errors", total == 0 ? "none" : total + " " + errors.get("byKind"));
        Map<?, ?> warnings = (Map<?, ?>) data.get("warnings");
        if (!warnings.isEmpty()) {
            row(b, "warnings", warnings.toString());
        }
        if (((Number) calls.get("incomingCalls")).longValue() > 0 || ((Number) calls.get("lateAnswers")).longValue() > 0) {
            row(b, "other", "incoming CALLs " + calls.get("incomingCalls") + " (answered NotSupported), late answers "
                    + calls.get("lateAnswers"));
        }
        row(b, "close", closedCleanly + " clean (1000), " + closedForcibly + " forced");
        if (options.gatewayPid > 0) {
            row(b, "gateway rss", rssProblem != null && rssKiB < 0 ? "pid " + options.gatewayPid + ": " + rssProblem
                    : String.format(Locale.ROOT, "pid %d: %s at end of run, max %s during run; before connect %s, connected idle %s; VmHWM %s",
                            options.gatewayPid, mib(rssKiB), mib(rssMaxKiB), mib(rssStartKiB), mib(rssConnectedKiB), mib(hwmKiB)));
        }
        row(b, "result", exitCode() == 0 ? "OK (exit 0)" : "FAILED (exit " + exitCode() + ")");
        return b.toString();
    }

    private static String latencyLine(Map<String, Object> h) {
        return String.format(Locale.ROOT, "p50 %s  p90 %s  p99 %s  p99.9 %s  max %s  (n=%d)",
                h.get("p50"), h.get("p90"), h.get("p99"), h.get("p999"), h.get("max"), h.get("count"));
    }

    private static void row(StringBuilder b, String label, String text) {
        b.append(String.format(Locale.ROOT, "  %-12s %s%n", label, text));
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String mib(long kib) {
        return kib < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f MiB", kib / 1024.0);
    }
}
