package org.chargeedge.balancer.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reaction time of the balancer on a real site (central system over
 * WebSockets, the real energy model, N simulated chargers): from the grid
 * meter reading that shows an overload to the corrected TxProfile received by
 * every charger that must reduce. Not a test; run by hand (see
 * docs/benchmarks.md). Arguments: chargers (100), rounds (30). With the real store, as the gateway runs.
 *
 * <p>Each round: the site is settled with every car at 9 A (grid limit 10 A
 * per phase and charger, the building drawing 1 A per charger); the building
 * jumps to 3 A per charger, so every charger must fall to 7 A; the time until the last of them received its new profile
 * is one sample. Then the building returns to 100 A and the cars ramp back.
 */
public final class ReactionBenchmark {

    private ReactionBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        Path dir = Files.createTempDirectory("balancer-bench");
        long[] samples = measure(dir, n, rounds, true);
        System.out.printf(Locale.ROOT, "%d chargers, %d rounds: reaction p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", n,
                rounds, pct(samples, 50) / 1e6, pct(samples, 99) / 1e6, samples[samples.length - 1] / 1e6);
    }

    /** The reaction time of each round, sorted, in nanoseconds. */
    static long[] measure(Path dir, int n, int rounds, boolean print) throws Exception {
        // the shipped defaults, except a quick ramp back so that rounds follow each other
        Map<String, Object> config = Map.of("gridLimitA", 10.0 * n, "safeBudgetA", 1.0 * n, "siteConnectors", n,
                "rampUpIntervalSeconds", 1, "rampUpStepA", 32.0);
        org.chargeedge.store.internal.SqliteStore store = org.chargeedge.store.internal.TestStores.open(
                dir.resolve("store.db"));
        try (TestSite site = new TestSite(dir.resolve("cs"), config)) {
            // with the store, as the gateway runs: each run's changes (profiles accepted, capabilities) go to it
            site.controller.remember(store);
            double low = 1.0 * n;
            double high = 3.0 * n;
            site.buildingA = low;
            site.gridReading();
            List<SimCharger> chargers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                chargers.add(site.charger(String.format(Locale.ROOT, "SIM-%03d", i), 3, 16, Duration.ZERO));
            }
            for (SimCharger c : chargers) {
                c.start();
            }
            long[] samples = new long[rounds];
            for (int r = 0; r < rounds; r++) {
                site.buildingA = low;
                settle(site, chargers, 9.0);
                site.buildingA = high;
                long t0 = System.nanoTime();
                site.gridReading();
                long last = 0;
                long deadline = t0 + Duration.ofSeconds(10).toNanos();
                for (SimCharger c : chargers) {
                    SimCharger.Profile p;
                    while ((p = c.lastTxProfile()) == null || p.nanos() < t0 || p.limit() > 7.0) {
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException(c.id + " was not reduced within 10 s: " + p);
                        }
                        Thread.sleep(1);
                    }
                    last = Math.max(last, p.nanos());
                }
                samples[r] = last - t0;
                if (print) {
                    System.out.printf(Locale.ROOT, "round %d: %.1f ms%n", r + 1, samples[r] / 1e6);
                }
            }
            Arrays.sort(samples);
            if (print) {
                System.out.printf(Locale.ROOT, "%d profile commands in all%n",
                        chargers.stream().mapToLong(c -> c.profiles.size()).sum());
            }
            return samples;
        } finally {
            org.chargeedge.store.internal.TestStores.close(store);
        }
    }

    /** Publishes the grid meter every 200 ms until every car draws {@code a} and has reported it. */
    private static void settle(TestSite site, List<SimCharger> chargers, double a) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!chargers.stream().allMatch(c -> c.drawA == a && c.reportedA == a)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the site did not settle at " + a + " A:\n"
                        + BalanceCommands.render(site.controller.status()));
            }
            site.gridReading();
            Thread.sleep(200);
        }
        // one reading of the settled site, so the next overload is the only change
        site.gridReading();
        Thread.sleep(300);
    }

    static long pct(long[] sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
