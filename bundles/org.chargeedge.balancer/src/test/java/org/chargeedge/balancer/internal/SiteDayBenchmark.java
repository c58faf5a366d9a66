package org.chargeedge.balancer.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

import org.chargeedge.balancer.internal.SiteDay.Battery;
import org.chargeedge.balancer.internal.SiteDay.Policy;
import org.chargeedge.balancer.internal.SiteDay.PvFigures;
import org.chargeedge.balancer.internal.SiteDay.Result;
import org.chargeedge.balancer.internal.SiteDay.Trouble;
import org.chargeedge.balancer.internal.SiteDay.Weather;

/**
 * A whole day on a site of {@code -Dsim.chargers} (20) chargers in virtual time, with the controller and with the
 * first-come-first-served baseline, then the controller's day with each trouble and with all of them; then the
 * same site with chargers that switch phases and a site battery, on the sunny day and on a grey day with the
 * offices closed, under battery-first (with the battery's maximum charging power configured; runs 17 and 18
 * without it) and ev-first, with phase switching on and off, and with all troubles. Prints Markdown tables (see
 * docs/benchmarks.md): the first for every run, the second, of phase switching and the battery, for the runs from 9
 * on; {@code -Dsim.runs=2,7} runs only those rows (1-based). Not run by the build: a {@code main}.
 */
public final class SiteDayBenchmark {

    private SiteDayBenchmark() {
    }

    private record Run(Policy policy, Set<Trouble> troubles, UnaryOperator<SiteDay> site) {
        Run(Policy policy, Set<Trouble> troubles) {
            this(policy, troubles, null);
        }
    }

    public static void main(String[] args) {
        int chargers = Integer.getInteger("sim.chargers", 20);
        long seed = Long.getLong("sim.seed", 17);
        Instant day = SiteDay.day(2026, 6, 17);
        Set<Trouble> none = Set.of();
        Set<Trouble> all = EnumSet.allOf(Trouble.class);
        // the battery is at 30 % at midnight
        UnaryOperator<SiteDay> sunny = d -> d.switchingChargers().battery(Battery.forSite(chargers, 0.3));
        UnaryOperator<SiteDay> grey = d -> d.weather(Weather.GREY).officesClosed().switchingChargers();
        // battery-first with the battery's maximum charging power
        String maxW = String.valueOf((int) Battery.forSite(chargers, 0.3).maxW());
        UnaryOperator<SiteDay> batteryFirst = d -> d.with("batteryPolicy", "battery-first")
                .with("batteryMaxChargeW", maxW);
        List<Run> runs = List.of(
                new Run(Policy.BASELINE, none),
                new Run(Policy.CONTROLLER, none),
                new Run(Policy.CONTROLLER, EnumSet.of(Trouble.STALE_METER)),
                new Run(Policy.CONTROLLER, EnumSet.of(Trouble.BROKER_OUTAGE)),
                new Run(Policy.CONTROLLER, EnumSet.of(Trouble.IGNORING_CHARGER)),
                new Run(Policy.CONTROLLER, EnumSet.of(Trouble.GATEWAY_KILLED)),
                new Run(Policy.CONTROLLER, all),
                new Run(Policy.BASELINE, all),
                // 9: phase switching and a site battery
                new Run(Policy.BASELINE, none, sunny),
                new Run(Policy.CONTROLLER, none, d -> batteryFirst.apply(sunny.apply(d))),
                new Run(Policy.CONTROLLER, none, d -> sunny.apply(d).with("batteryPolicy", "ev-first")),
                new Run(Policy.CONTROLLER, all, d -> batteryFirst.apply(sunny.apply(d))),
                new Run(Policy.CONTROLLER, none, d -> batteryFirst.apply(grey.apply(d)
                        .battery(Battery.forSite(chargers, 0.3)))),
                new Run(Policy.CONTROLLER, none, d -> grey.apply(d).battery(Battery.forSite(chargers, 0.3))
                        .with("batteryPolicy", "ev-first")),
                new Run(Policy.CONTROLLER, none, grey),
                new Run(Policy.CONTROLLER, none, d -> grey.apply(d).with("phaseSwitching", false)),
                // 17: battery-first without the battery's maximum (only what it charges is kept for it)
                new Run(Policy.CONTROLLER, none, d -> sunny.apply(d).with("batteryPolicy", "battery-first")),
                new Run(Policy.CONTROLLER, none, d -> grey.apply(d).battery(Battery.forSite(chargers, 0.3))
                        .with("batteryPolicy", "battery-first")));
        String only = System.getProperty("sim.runs", "");
        System.out.println(Result.header());
        List<Result> withSite = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            if (!only.isEmpty() && !java.util.Arrays.asList(only.split(",")).contains(String.valueOf(i + 1))) {
                continue;
            }
            Run run = runs.get(i);
            long started = System.nanoTime();
            SiteDay d = new SiteDay(chargers, day, day, day.plus(Duration.ofHours(24)), run.policy(), run.troubles(),
                    seed);
            if (run.site() != null) {
                d = run.site().apply(d);
            }
            Result r = d.run();
            System.out.println(r.row() + String.format(" (run %d: %s, %.1f s)", i + 1, r.pv().site(),
                    (System.nanoTime() - started) / 1e9));
            if (run.site() != null) {
                withSite.add(r);
            }
        }
        if (!withSite.isEmpty()) {
            System.out.println();
            System.out.println(PvFigures.header());
            withSite.forEach(r -> System.out.println(r.pv().row(r)));
        }
    }
}
