package org.chargeedge.it;

import java.time.Duration;
import java.util.EnumSet;

/**
 * The longer site run on real wires ({@link SiteOnWires}), a {@code main}: by default 20 chargers for 10 minutes
 * with a charger that ignores its limit and a broker outage (the gateway's kill is {@code SiteOnWiresIT}'s), then
 * the same site without balancing (so the run shows it can see an overload). Prints the figures as a Markdown
 * table. Arguments: chargers, minutes, and {@code nobaseline} or {@code onlybaseline} for one of the two runs.
 */
public final class SiteOnWiresBenchmark {

    private SiteOnWiresBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int chargers = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int minutes = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        String which = args.length > 2 ? args[2] : "both";
        // the grid and circuits in proportion to the site: 8 A per charger at the grid, 5 A per charger per circuit
        double grid = 8.0 * chargers;
        double circuit = 5.0 * chargers;
        StringBuilder out = new StringBuilder(SiteOnWires.Result.header()).append('\n');
        boolean[] runs = switch (which) {
            case "nobaseline" -> new boolean[] {true};
            case "onlybaseline" -> new boolean[] {false};
            default -> new boolean[] {true, false};
        };
        for (boolean balancing : runs) {
            SiteOnWires.Settings s = new SiteOnWires.Settings("SiteOnWiresBenchmark", chargers,
                    Duration.ofMinutes(minutes), grid, circuit, 0.3 * grid, 0.27 * grid, 1500.0 * chargers,
                    EnumSet.of(SiteOnWires.Trouble.IGNORING_CHARGER, SiteOnWires.Trouble.BROKER_OUTAGE),
                    Duration.ofSeconds(30), Duration.ZERO, 0, balancing, 17);
            SiteOnWires.Result r = new SiteOnWires(s).run();
            out.append(r.row()).append('\n');
            System.out.println(r.row());
        }
        System.out.println();
        System.out.println(out);
        System.exit(0);
    }
}
