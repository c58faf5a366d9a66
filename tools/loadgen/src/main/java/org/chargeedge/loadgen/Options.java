package org.chargeedge.loadgen;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.chargeedge.loadgen.scenario.Scenarios;

/** Command-line options of the load generator. Parsed with {@link #parse(String...)}; a later option wins. */
public final class Options {

    public String url = "ws://127.0.0.1:9000/ocpp/";
    public int chargers = 1000;
    public String idPrefix = "LG-";
    public String scenario = "mixed";
    /** Total target calls per second over all chargers; 0 = unlimited (closed loop per charger). */
    public double rate = 0;
    public Duration duration = Duration.ofSeconds(30);
    public Duration warmup = Duration.ofSeconds(5);
    public int connectConcurrency = 200;
    public Duration connectTimeout = Duration.ofSeconds(30);
    public Duration callTimeout = Duration.ofSeconds(30);
    public Duration closeTimeout = Duration.ofSeconds(5);
    /** Optional gateway process whose /proc/PID/status VmRSS and VmHWM are reported. */
    public long gatewayPid = -1;
    public Path json;
    /** PEM file of the CA that signed the server's certificate, for wss://; null: the JDK's trust store. */
    public Path caFile;
    public int meterValuesPerTransaction = 10;
    public String idTag = "LOADGEN";
    /** Event loop threads of the WebSocket transport; every charger lives on one of them. */
    public int threads = 1;
    public boolean quiet;
    public boolean help;

    /** Thrown for invalid command lines; the message is meant for the user. */
    public static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        public UsageException(String message) {
            super(message);
        }
    }

    public static Options parse(String... args) throws UsageException {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                o.help = true;
                continue;
            }
            if (a.equals("--quiet")) {
                o.quiet = true;
                continue;
            }
            if (!a.startsWith("--")) {
                throw new UsageException("unexpected argument: " + a);
            }
            String name;
            String value;
            int eq = a.indexOf('=');
            if (eq > 0) {
                name = a.substring(2, eq);
                value = a.substring(eq + 1);
            } else {
                name = a.substring(2);
                if (i + 1 >= args.length) {
                    throw new UsageException("missing value for --" + name);
                }
                value = args[++i];
            }
            o.set(name, value);
        }
        o.validate();
        return o;
    }

    private void set(String name, String v) throws UsageException {
        switch (name) {
            case "url": url = v; break;
            case "chargers": chargers = integer(name, v); break;
            case "id-prefix": idPrefix = v; break;
            case "scenario": scenario = v.toLowerCase(Locale.ROOT); break;
            case "rate": rate = decimal(name, v); break;
            case "duration": duration = duration(name, v); break;
            case "warmup": warmup = duration(name, v); break;
            case "connect-concurrency": connectConcurrency = integer(name, v); break;
            case "connect-timeout": connectTimeout = duration(name, v); break;
            case "call-timeout": callTimeout = duration(name, v); break;
            case "close-timeout": closeTimeout = duration(name, v); break;
            case "gateway-pid": gatewayPid = integer(name, v); break;
            case "json": json = Path.of(v); break;
            case "ca-file": caFile = Path.of(v); break;
            case "meter-values-per-tx": meterValuesPerTransaction = integer(name, v); break;
            case "id-tag": idTag = v; break;
            case "threads": threads = integer(name, v); break;
            default: throw new UsageException("unknown option --" + name);
        }
    }

    private void validate() throws UsageException {
        if (help) {
            return;
        }
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new UsageException("invalid --url: " + e.getMessage());
        }
        if (!"ws".equals(uri.getScheme()) && !"wss".equals(uri.getScheme())) {
            throw new UsageException("--url must be a ws:// or wss:// URL");
        }
        if (uri.getHost() == null) {
            throw new UsageException("--url has no host");
        }
        if (caFile != null && !java.nio.file.Files.isReadable(caFile)) {
            throw new UsageException("--ca-file " + caFile + " is not a readable file");
        }
        if (chargers < 1) {
            throw new UsageException("--chargers must be at least 1");
        }
        if (rate < 0 || Double.isNaN(rate) || Double.isInfinite(rate)) {
            throw new UsageException("--rate must be >= 0");
        }
        if (duration.isZero() || duration.isNegative()) {
            throw new UsageException("--duration must be positive");
        }
        if (warmup.isNegative()) {
            throw new UsageException("--warmup must not be negative");
        }
        if (connectConcurrency < 1) {
            throw new UsageException("--connect-concurrency must be at least 1");
        }
        for (Duration d : new Duration[] {connectTimeout, callTimeout, closeTimeout}) {
            if (d.isZero() || d.isNegative()) {
                throw new UsageException("timeouts must be positive");
            }
        }
        if (meterValuesPerTransaction < 0) {
            throw new UsageException("--meter-values-per-tx must be >= 0");
        }
        if (threads < 1) {
            throw new UsageException("--threads must be at least 1");
        }
        if (!Scenarios.names().contains(scenario)) {
            throw new UsageException("unknown --scenario " + scenario + "; known: " + String.join(", ", Scenarios.names()));
        }
    }

    /** The WebSocket URL of one charger: the base URL with the charge point id appended. */
    public URI chargerUri(String chargePointId) {
        String base = url.endsWith("/") ? url : url + "/";
        return URI.create(base + java.net.URLEncoder.encode(chargePointId, java.nio.charset.StandardCharsets.UTF_8)
                .replace("+", "%20"));
    }

    /** Charge point id of the charger with the given 0-based index, e.g. LG-0001. */
    public String chargePointId(int index) {
        int width = Math.max(4, Integer.toString(chargers).length());
        StringBuilder n = new StringBuilder(Integer.toString(index + 1));
        while (n.length() < width) {
            n.insert(0, '0');
        }
        return idPrefix + n;
    }

    private static int integer(String name, String v) throws UsageException {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " expects an integer, got " + v);
        }
    }

    private static double decimal(String name, String v) throws UsageException {
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " expects a number, got " + v);
        }
    }

    /** Parses 500ms, 30s, 2m, 1h or a plain number of seconds (fractions allowed). */
    public static Duration duration(String name, String v) throws UsageException {
        String t = v.trim().toLowerCase(Locale.ROOT);
        double factorMs;
        String num;
        if (t.endsWith("ms")) {
            factorMs = 1;
            num = t.substring(0, t.length() - 2);
        } else if (t.endsWith("s")) {
            factorMs = 1000;
            num = t.substring(0, t.length() - 1);
        } else if (t.endsWith("m")) {
            factorMs = 60_000;
            num = t.substring(0, t.length() - 1);
        } else if (t.endsWith("h")) {
            factorMs = 3_600_000;
            num = t.substring(0, t.length() - 1);
        } else {
            factorMs = 1000;
            num = t;
        }
        try {
            double ms = Double.parseDouble(num) * factorMs;
            if (Double.isNaN(ms) || Double.isInfinite(ms)) {
                throw new NumberFormatException();
            }
            return Duration.ofNanos(Math.round(ms * 1_000_000d));
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " expects a duration like 500ms, 30s or 2m, got " + v);
        }
    }

    static String usage() {
        return String.join("\n",
                "Usage: java -jar chargeedge-loadgen.jar [options]",
                "Plays N OCPP-J 1.6 charge points against a central system (one outstanding CALL per charger).",
                "",
                "  --url URL                  base WebSocket URL, charge point id appended (default ws://127.0.0.1:9000/ocpp/)",
                "  --chargers N               simulated chargers (default 1000)",
                "  --id-prefix P              charge point id prefix (default LG-, ids LG-0001...)",
                "  --scenario S               " + String.join(" | ", Scenarios.names()) + " (default mixed)",
                "  --rate R                   target total calls/s over all chargers, 0 = unlimited (default 0)",
                "  --duration D               measured window (default 30s; units ms, s, m, h)",
                "  --warmup D                 run time before the measured window (default 5s)",
                "  --connect-concurrency N    WebSocket handshakes in flight (default 200)",
                "  --connect-timeout D        per-connection handshake timeout (default 30s)",
                "  --call-timeout D           a CALL without answer after this is an error (default 30s)",
                "  --close-timeout D          wait for close handshakes at the end (default 5s)",
                "  --gateway-pid PID          report VmRSS/VmHWM of this process from /proc/PID/status",
                "  --json FILE                also write the report as JSON to FILE",
                "  --ca-file FILE             for wss://: trust the CA (PEM) that signed the gateway's certificate",
                "  --meter-values-per-tx N    MeterValues per transaction in the transactions scenario (default 10)",
                "  --id-tag TAG               idTag prefix in Start/StopTransaction: TAG-N for charger N (default LOADGEN)",
                "  --threads N                event loop threads that run the chargers' connections (default 1)",
                "  --quiet                    print only the final report",
                "  -h, --help                 this text",
                "",
                "Exit code: 0 all chargers connected and no error; 1 a connect failed or an error happened; 2 usage error.");
    }
}
