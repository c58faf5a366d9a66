package org.chargeedge.balancer.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.chargeedge.balancer.internal.SiteDay.Policy;
import org.chargeedge.balancer.internal.SiteDay.Result;
import org.chargeedge.balancer.internal.SiteDay.Trouble;

/**
 * A whole day on a site of {@code -Dsim.chargers} (20) chargers in virtual time, with the controller and with the
 * first-come-first-served baseline, then the controller's day with each trouble and with all of them. Prints a
 * Markdown table (see docs/benchmarks.md); {@code -Dsim.runs=2,7} runs only those rows (1-based). Not run by the
 * build: a {@code main}.
 */
public final class SiteDayBenchmark {

    private SiteDayBenchmark() {
    }

    public static void main(String[] args) {
        int chargers = Integer.getInteger("sim.chargers", 20);
        long seed = Long.getLong("sim.seed", 17);
        Instant day = SiteDay.day(2026, 6, 17);
        System.out.println(Result.header());
        List<Object[]> runs = List.of(
                new Object[] {Policy.BASELINE, Set.<Trouble>of()},
                new Object[] {Policy.CONTROLLER, Set.<Trouble>of()},
                new Object[] {Policy.CONTROLLER, EnumSet.of(Trouble.STALE_METER)},
                new Object[] {Policy.CONTROLLER, EnumSet.of(Trouble.BROKER_OUTAGE)},
                new Object[] {Policy.CONTROLLER, EnumSet.of(Trouble.IGNORING_CHARGER)},
                new Object[] {Policy.CONTROLLER, EnumSet.of(Trouble.GATEWAY_KILLED)},
                new Object[] {Policy.CONTROLLER, EnumSet.allOf(Trouble.class)},
                new Object[] {Policy.BASELINE, EnumSet.allOf(Trouble.class)});
        String only = System.getProperty("sim.runs", "");
        for (int i = 0; i < runs.size(); i++) {
            if (!only.isEmpty() && !java.util.Arrays.asList(only.split(",")).contains(String.valueOf(i + 1))) {
                continue;
            }
            Object[] run = runs.get(i);
            @SuppressWarnings("unchecked")
            Set<Trouble> troubles = (Set<Trouble>) run[1];
            long started = System.nanoTime();
            Result r = new SiteDay(chargers, day, day, day.plus(Duration.ofHours(24)), (Policy) run[0], troubles,
                    seed).run();
            System.out.println(r.row() + String.format(" (%.1f s)", (System.nanoTime() - started) / 1e9));
        }
    }
}
