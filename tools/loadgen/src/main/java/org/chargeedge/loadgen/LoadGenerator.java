package org.chargeedge.loadgen;

import io.netty.channel.EventLoop;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;
import org.chargeedge.loadgen.scenario.Scenario;
import org.chargeedge.loadgen.scenario.Scenarios;

/**
 * OCPP-J 1.6 load generator: plays N charge points against a central system and reports throughput,
 * latency, errors and (optionally) the central system's memory.
 *
 * <p>Phases: connect all chargers (at most --connect-concurrency handshakes in flight), run the
 * scenario for --warmup plus --duration (only the latter is measured), let outstanding calls finish
 * (bounded by --call-timeout), close every connection with status 1000.
 */
public final class LoadGenerator {

    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;

    private final Options options;
    private final PrintStream log;

    public LoadGenerator(Options options, PrintStream log) {
        this.options = options;
        this.log = log;
    }

    public static void main(String[] args) {
        System.exit(execute(args, System.out, System.err));
    }

    /** Runs with command-line arguments; prints the report to {@code out}; returns the exit code. */
    public static int execute(String[] args, PrintStream out, PrintStream err) {
        Options o;
        try {
            o = Options.parse(args);
        } catch (Options.UsageException e) {
            err.println("error: " + e.getMessage());
            err.println(Options.usage());
            return EXIT_USAGE;
        }
        if (o.help) {
            out.println(Options.usage());
            return EXIT_OK;
        }
        Report report;
        try {
            report = new LoadGenerator(o, o.quiet ? nullStream() : err).run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("interrupted");
            return EXIT_FAILED;
        }
        out.print(report.human());
        out.println(Report.LINE_PREFIX + report.json());
        out.flush();
        if (o.json != null) {
            try {
                Path parent = o.json.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                Files.writeString(o.json, report.prettyJson(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                err.println("error: cannot write " + o.json + ": " + e);
                return EXIT_FAILED;
            }
        }
        return report.exitCode();
    }

    private static PrintStream nullStream() {
        return new PrintStream(java.io.OutputStream.nullOutputStream());
    }

    /**
     * Runs one complete load test. Threads: this (main) thread drives the phases; the chargers live on the
     * transport's event loops (see {@link SimulatedCharger}); a daemon thread samples the gateway's RSS when
     * --gateway-pid is given.
     */
    public Report run() throws InterruptedException {
        Options o = options;
        Scenario scenario = Scenarios.get(o.scenario);
        Stats stats = new Stats();
        Report report = new Report(o);

        RssSampler rss = o.gatewayPid > 0 ? new RssSampler(o.gatewayPid) : null;
        if (rss != null) {
            rss.sample();
            report.rssStartKiB = rss.lastRssKiB();
        }
        warnAboutFileLimit(o.chargers);

        ScheduledExecutorService rssTimer = null;
        Transport transport;
        try {
            transport = new Transport(o);
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS: " + e, e);
        }
        try {
            RunState run = new RunState(o, stats);
            if (rss != null) {
                rssTimer = Executors.newSingleThreadScheduledExecutor(daemon("loadgen-rss"));
                rssTimer.scheduleAtFixedRate(rss::sample, 250, 250, TimeUnit.MILLISECONDS);
            }

            // ---------------------------------------------------------------- connect
            List<SimulatedCharger> all = new ArrayList<>(o.chargers);
            for (int i = 0; i < o.chargers; i++) {
                all.add(new SimulatedCharger(run, i, o.chargePointId(i), transport.nextLoop()));
            }
            log.printf("connecting %d chargers to %s (%d handshakes in flight; %s)%n", o.chargers, o.url,
                    o.connectConcurrency, transport.describe());
            Semaphore inFlight = new Semaphore(o.connectConcurrency);
            AtomicLong lastOpen = new AtomicLong();
            AtomicInteger failed = new AtomicInteger();
            CountDownLatch connectsDone = new CountDownLatch(o.chargers);
            Set<SimulatedCharger> open = ConcurrentHashMap.newKeySet();
            SimulatedCharger.ConnectListener listener = (charger, ok) -> { // on the charger's event loop
                if (ok) {
                    lastOpen.accumulateAndGet(System.nanoTime(), Math::max);
                    open.add(charger);
                } else {
                    failed.incrementAndGet();
                }
                inFlight.release();
                connectsDone.countDown();
            };
            long connectStart = System.nanoTime();
            for (SimulatedCharger c : all) {
                inFlight.acquire();
                c.connect(transport, listener);
            }
            connectsDone.await();
            long connectEnd = lastOpen.get() == 0 ? System.nanoTime() : lastOpen.get();
            List<SimulatedCharger> connected = new ArrayList<>();
            for (SimulatedCharger c : all) {
                if (open.contains(c)) {
                    connected.add(c);
                }
            }
            report.connectMs = (connectEnd - connectStart) / 1e6;
            report.connected = connected.size();
            report.connectFailed = failed.get();
            log.printf("connected %d/%d in %.0f ms%s%n", connected.size(), o.chargers, report.connectMs,
                    failed.get() > 0 ? " (" + failed.get() + " failed: " + Stats.snapshot(stats.connectErrors) + ")" : "");
            if (rss != null) {
                rss.sample();
                report.rssConnectedKiB = rss.lastRssKiB();
            }

            // ---------------------------------------------------------------- run
            long measureSeconds = 0;
            if (!connected.isEmpty()) {
                int n = connected.size();
                run.paced = o.rate > 0;
                run.intervalNanos = o.rate > 0 ? Math.max(1L, Math.round(n * 1e9 / o.rate)) : 0;
                run.finished = new CountDownLatch(n);
                long runStart = System.nanoTime() + 20_000_000L; // a moment to start every charger
                stats.measureStartNanos = runStart + o.warmup.toNanos();
                stats.measureEndNanos = stats.measureStartNanos + o.duration.toNanos();
                run.runEndNanos = stats.measureEndNanos;
                // the call-timeout check runs on each event loop over the chargers it owns
                long tick = Math.max(10, Math.min(100, o.callTimeout.toMillis() / 4));
                Map<EventLoop, List<SimulatedCharger>> byLoop = new IdentityHashMap<>();
                for (SimulatedCharger c : connected) {
                    byLoop.computeIfAbsent(c.loop, l -> new ArrayList<>()).add(c);
                }
                byLoop.forEach((loop, chargers) -> loop.scheduleAtFixedRate(() -> {
                    long now = System.nanoTime();
                    for (SimulatedCharger c : chargers) {
                        c.checkTimeout(now);
                    }
                }, tick, tick, TimeUnit.MILLISECONDS));
                log.printf("running scenario %s for %s warm-up + %s measured, rate %s%n", o.scenario,
                        human(o.warmup), human(o.duration), o.rate > 0 ? o.rate + " calls/s" : "unlimited");
                for (int i = 0; i < n; i++) {
                    SimulatedCharger c = connected.get(i);
                    // stagger the paced chargers evenly over one interval
                    long first = runStart + (run.paced ? (long) ((double) run.intervalNanos * i / n) : 0);
                    c.start(scenario.newCharger(c.context()), first);
                }
                long progressEvery = 5_000_000_000L;
                long nextProgress = System.nanoTime() + progressEvery;
                long deadline = run.runEndNanos + o.callTimeout.toNanos() + 2_000_000_000L;
                while (!run.finished.await(200, TimeUnit.MILLISECONDS)) {
                    long now = System.nanoTime();
                    if (now - nextProgress >= 0) {
                        nextProgress += progressEvery;
                        log.printf("  t=%.0fs sent=%d answered=%d errors=%d%n", (now - runStart) / 1e9,
                                stats.sent.sum(), stats.answered.sum(), stats.errorTotal());
                    }
                    if (now - deadline >= 0) {
                        log.println("warning: chargers still busy after the run; closing anyway");
                        break;
                    }
                }
                measureSeconds = o.duration.toNanos();
            }
            if (rss != null) {
                rss.sample();
                report.rssKiB = rss.lastRssKiB();
            }

            // ---------------------------------------------------------------- close
            CountDownLatch closes = new CountDownLatch(connected.size());
            for (SimulatedCharger c : connected) {
                c.close(closes);
            }
            closes.await(o.closeTimeout.toMillis(), TimeUnit.MILLISECONDS);
            int clean = 0;
            for (SimulatedCharger c : connected) {
                if (c.closedCleanly()) {
                    clean++;
                } else {
                    c.abortIfOpen();
                }
            }
            report.closedCleanly = clean;
            report.closedForcibly = connected.size() - clean;
            if (rss != null) {
                rssTimer.shutdownNow();
                rss.sample();
                report.rssMaxKiB = rss.maxRssKiB();
                report.hwmKiB = rss.lastHwmKiB();
                report.rssProblem = rss.problem();
            }
            report.fill(stats, measureSeconds / 1e9);
            return report;
        } finally {
            if (rssTimer != null) {
                rssTimer.shutdownNow();
            }
            transport.close(); // runs the aborts still queued, then stops the event loops
        }
    }

    static String human(java.time.Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
    }

    private void warnAboutFileLimit(int chargers) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String[] parts = line.substring("Max open files".length()).trim().split("\\s+");
                    if (!parts[0].equals("unlimited") && Long.parseLong(parts[0]) < chargers + 64L) {
                        log.printf("warning: max open files is %s, too few for %d connections (ulimit -n)%n",
                                parts[0], chargers);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: nothing to check
        }
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
