package org.chargeedge.balancer.internal;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.apache.felix.service.command.Descriptor;
import org.chargeedge.api.balancer.BalancerModes.Target;
import org.chargeedge.api.balancer.ChargingMode;
import org.chargeedge.balancer.core.SiteSnapshot.ConnectorRef;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** {@code chargeedge:balance} and {@code chargeedge:mode}: what the balancer decided and why; a session's mode. */
@Component(service = BalanceCommands.class, property = {
        "osgi.command.scope=chargeedge",
        "osgi.command.function=balance",
        "osgi.command.function=mode"})
public class BalanceCommands {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile BalancerComponent balancer;

    @Descriptor("show the balancer's inputs and, per connector, its limit, what it draws and why")
    public String balance() {
        BalancerComponent b = balancer;
        if (b == null) {
            return "Load balancing is not running (see the log: its configuration may be invalid)\n";
        }
        return balanceOf(b.controller());
    }

    /** What {@code chargeedge:balance} shows of a controller. */
    String balanceOf(BalancerController c) {
        return render(c.status(), c.prices().source(), ref -> c.groups().of(ref));
    }

    @Descriptor("set the charging mode of the session on a connector (or of the next one), or a charger's default: "
            + "Fast, PV, MinPV, Off; Default gives a charger its configured default again")
    public String mode(@Descriptor("CHARGER/CONNECTOR for the session, CHARGER for the charger's default") String target,
                       @Descriptor("Fast, PV, MinPV, Off; Default (for a CHARGER)") String mode) throws Exception {
        BalancerComponent b = balancer;
        if (b == null) {
            return "Load balancing is not running\n";
        }
        return mode(b.controller(), target, mode, null);
    }

    @Descriptor("set a session to Scheduled: the energy it needs by its departure, in the cheapest tariff windows")
    public String mode(@Descriptor("CHARGER/CONNECTOR") String target,
                       @Descriptor("Scheduled") String mode,
                       @Descriptor("departure: HH:MM (the next one, in the tariff's time zone) or a UTC time "
                               + "(2026-05-01T07:30:00Z)") String departure,
                       @Descriptor("energy needed by then, kWh") double kWh) throws Exception {
        BalancerComponent b = balancer;
        if (b == null) {
            return "Load balancing is not running\n";
        }
        Instant leaves;
        try {
            leaves = departure(departure, b.controller().zone(), Instant.now());
        } catch (IllegalArgumentException e) {
            return e.getMessage() + "\n";
        }
        return mode(b.controller(), target, mode, new Target(leaves, kWh * 1000));
    }

    /** {@code HH:MM}: the next such time in {@code zone}; else an ISO-8601 instant. */
    static Instant departure(String text, ZoneId zone, Instant now) {
        try {
            if (text.matches("\\d{1,2}:\\d{2}")) {
                ZonedDateTime at = now.atZone(zone).with(LocalTime.parse(text.length() == 4 ? "0" + text : text));
                return (at.toInstant().isAfter(now) ? at : at.plusDays(1)).toInstant();
            }
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' is not HH:MM or a UTC time like 2026-05-01T07:30:00Z");
        }
    }

    static String mode(BalancerController controller, String target, String mode, Target goal) throws Exception {
        int slash = target.lastIndexOf('/');
        if (mode.equalsIgnoreCase("Default") && slash < 0 && goal == null) {
            return answer(controller.clearChargerDefault(target));
        }
        ChargingMode m;
        try {
            m = ChargingMode.parse(mode);
        } catch (IllegalArgumentException e) {
            return e.getMessage() + "\n";
        }
        CompletableFuture<String> done;
        if (slash > 0) {
            int connector;
            try {
                connector = Integer.parseInt(target.substring(slash + 1));
            } catch (NumberFormatException e) {
                return "'" + target + "' is not CHARGER/CONNECTOR\n";
            }
            done = controller.setSessionMode(target.substring(0, slash), connector, SiteSettings.core(m), goal);
        } else if (goal != null) {
            return "a departure time and an energy target are for a session: CHARGER/CONNECTOR\n";
        } else {
            done = controller.setChargerDefault(target, SiteSettings.core(m));
        }
        return answer(done);
    }

    private static String answer(CompletableFuture<String> done) throws Exception {
        try {
            return done.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause().getMessage() + "\n";
        }
    }

    static String render(BalanceStatus s) {
        return render(s, null, ref -> null);
    }

    /**
     * With where the prices come from ({@code priceSource}, null: not shown) and each session's idTag group.
     */
    static String render(BalanceStatus s, String priceSource,
                         Function<ConnectorRef, SessionGroups.Group> groups) {
        if (s == null) {
            return "Load balancing: starting, no decision yet\n";
        }
        StringBuilder out = new StringBuilder();
        if (!s.enabled()) {
            return "Load balancing: OFF (enabled = false in config/org.chargeedge.balancer.cfg)\n";
        }
        out.append(String.format(Locale.ROOT, "Grid limit       %.1f A per phase%s%n", s.gridLimitA(),
                s.gridLimitDefault() ? "  DEFAULT: not set by the installer (gridLimitA, CHARGEEDGE_GRID_LIMIT_A)"
                        : ""));
        out.append("Grid meter       ").append(s.gridMeter()).append('\n');
        out.append("Budget from      ").append(s.budget()).append('\n');
        out.append(String.format(Locale.ROOT, "Safe budget      %.1f A per phase, %s%n", s.safeBudgetA(),
                s.safeBudgetInUse() ? "IN USE" : "not in use"));
        out.append(String.format(Locale.ROOT, "For the chargers L1 %.1f A, L2 %.1f A, L3 %.1f A%n", s.available().l1(),
                s.available().l2(), s.available().l3()));
        if (priceSource != null) {
            out.append("Prices           ").append(priceSource).append('\n');
        }
        out.append("Decided at       ").append(s.at()).append('\n');
        out.append(String.format(Locale.ROOT, "%n%-20s %-9s %-9s %-8s %-8s %-18s %-18s %s%n", "CONNECTOR", "SESSION",
                "MODE", "LIMIT", "SENT", "DRAWS (L1/L2/L3)", "CONTROL", "WHY"));
        for (BalanceStatus.ConnectorRow r : s.connectors()) {
            out.append(String.format(Locale.ROOT, "%-20s %-9s %-9s %-8s %-8s %-18s %-18s %s%n", r.ref(),
                    r.session() == null ? "-" : r.session(), r.mode(), String.format(Locale.ROOT, "%.1f A",
                            r.limitA()), r.sentA() == null ? "-" : String.format(Locale.ROOT, "%.1f A", r.sentA()),
                    r.draw(), r.control(), r.reason()));
            SessionGroups.Group g = r.session() == null ? null : groups.apply(r.at());
            if (g != null) {
                out.append(String.format(Locale.ROOT, "%-20s group %s, priority %d%n", "", g, r.priority()));
            }
        }
        out.append(String.format(Locale.ROOT, "%n%-20s %-10s %-9s %-8s %s%n", "CHARGER", "CONNECTED", "FALLBACK",
                "COMMANDS", "TAKES"));
        for (BalanceStatus.ChargerRow c : s.chargers()) {
            out.append(String.format(Locale.ROOT, "%-20s %-10s %-9s %-8d %s%s%n", c.id(), c.connected() ? "yes" : "no",
                    c.safeShareA() == null ? "-" : String.format(Locale.ROOT, "%.1f A", c.safeShareA()),
                    c.commands(), c.capabilities(), c.inFlight() == null ? "" : "; in flight: " + c.inFlight()));
        }
        return out.toString();
    }
}
