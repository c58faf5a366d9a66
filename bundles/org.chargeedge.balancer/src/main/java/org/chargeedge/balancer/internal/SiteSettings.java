package org.chargeedge.balancer.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Function;

import org.chargeedge.balancer.core.BatteryPolicy;
import org.chargeedge.balancer.core.Phase;
import org.chargeedge.balancer.core.PhaseRotation;
import org.chargeedge.balancer.core.PhaseSwitching;
import org.chargeedge.balancer.core.SiteSnapshot.Circuit;
import org.chargeedge.api.balancer.ChargingMode;
import org.chargeedge.balancer.core.SiteSnapshot.Mode;
import org.chargeedge.balancer.core.SiteSnapshot.PhaseAmps;

/**
 * The balancer's configuration, parsed and checked once. Immutable.
 */
record SiteSettings(boolean enabled, double gridLimitA, boolean gridLimitDefault, OptionalDouble totalKw,
                    double safeBudgetA, List<Circuit> circuits, Map<String, String> chargerCircuits,
                    Map<String, PhaseRotation> rotations, Map<String, Integer> chargerPhases,
                    Map<String, Double> chargerMaxA, double defaultChargerMaxA, Mode defaultMode,
                    Map<String, Mode> chargerModes, Map<String, Integer> priorities, Duration reactionTime,
                    Duration profileValidity, Duration minInterval, double rampUpStepA, Duration rampUpInterval,
                    double minChangeA, int siteConnectors, Duration drawMaxAge, double voltage,
                    TimeOfUseTariff tariff, Duration minOn, Duration minOff, IdTagGroups idTagGroups,
                    BatteryPolicy battery, PhaseSwitching phaseSwitching, MeterSetup meterSetup,
                    Duration reactionTimeMax) {

    /**
     * What the balancer asks of chargers' MeterValues so that it can measure their draw.
     *
     * @param sampleInterval the MeterValueSampleInterval for chargers with none or a longer one; zero: left alone
     * @param addCurrent add Current.Import to a MeterValuesSampledData that lacks it
     */
    record MeterSetup(Duration sampleInterval, boolean addCurrent) {
    }

    /**
     * Used until the installer sets the grid limit: the smallest common 3-phase main fuse, so an unconfigured
     * gateway errs on the safe side.
     */
    static final double DEFAULT_GRID_LIMIT_A = 25;
    /** The worst-case building load assumed while the grid meter is unknown, unless configured. */
    static final double DEFAULT_SAFE_BUDGET_A = 10;

    SiteSettings {
        circuits = List.copyOf(circuits);
        chargerCircuits = Map.copyOf(chargerCircuits);
        rotations = Map.copyOf(rotations);
        chargerPhases = Map.copyOf(chargerPhases);
        chargerMaxA = Map.copyOf(chargerMaxA);
        chargerModes = Map.copyOf(chargerModes);
        priorities = Map.copyOf(priorities);
    }

    static SiteSettings from(BalancerConfig c) {
        boolean gridDefault = c.gridLimitA() <= 0;
        double grid = gridDefault ? DEFAULT_GRID_LIMIT_A : c.gridLimitA();
        if (c.safeBudgetA() < 0) {
            throw new IllegalArgumentException("safeBudgetA " + c.safeBudgetA() + " is negative");
        }
        List<Circuit> circuits = circuits(c.circuits());
        Map<String, String> chargerCircuits = pairs("chargerCircuits", c.chargerCircuits(), v -> v);
        for (Map.Entry<String, String> e : chargerCircuits.entrySet()) {
            if (circuits.stream().noneMatch(ci -> ci.id().equals(e.getValue()))) {
                throw new IllegalArgumentException("chargerCircuits: charger " + e.getKey() + " hangs from circuit "
                        + e.getValue() + ", which circuits does not name");
            }
        }
        Map<String, Integer> phases = pairs("chargerPhases", c.chargerPhases(), v -> {
            int n = Integer.parseInt(v);
            if (n != 1 && n != 3) {
                throw new IllegalArgumentException("a charger has 1 or 3 phases, not " + v);
            }
            return n;
        });
        Map<String, Double> maxA = pairs("chargerMaxA", c.chargerMaxA(), v -> {
            double a = Double.parseDouble(v);
            if (a < 6) {
                throw new IllegalArgumentException(v + " A is below the 6 A a charger can signal");
            }
            return a;
        });
        return new SiteSettings(c.enabled(), grid, gridDefault,
                c.gridTotalKw() > 0 ? OptionalDouble.of(c.gridTotalKw()) : OptionalDouble.empty(), c.safeBudgetA(),
                circuits, chargerCircuits, pairs("phaseRotation", c.phaseRotation(), PhaseRotation::parse), phases,
                maxA, c.defaultChargerMaxA(), mode(c.defaultMode()), pairs("chargerModes", c.chargerModes(),
                        SiteSettings::mode), pairs("priorities", c.priorities(), Integer::parseInt),
                Duration.ofSeconds(c.reactionTimeSeconds()), Duration.ofSeconds(c.profileValiditySeconds()),
                Duration.ofMillis(c.minIntervalMillis()), c.rampUpStepA(),
                Duration.ofSeconds(c.rampUpIntervalSeconds()), c.minChangeA(), c.siteConnectors(),
                Duration.ofSeconds(c.drawMaxAgeSeconds()), c.voltage(), TimeOfUseTariff.parse(c.tariffWindows(), c.tariffDefaultPrice(), c.tariffTimeZone()),
                Duration.ofSeconds(c.minOnSeconds()), Duration.ofSeconds(c.minOffSeconds()),
                IdTagGroups.parse(c.idTagGroups(), c.groupPriority()),
                battery(c.batteryPolicy(), c.batteryReserveW(), c.batteryMaxChargeW(), c.batteryFullSocPercent()),
                phaseSwitching(c),
                new MeterSetup(Duration.ofSeconds(c.meterValueSampleIntervalSeconds()), c.addCurrentToMeterValues()),
                Duration.ofSeconds(Math.max(c.reactionTimeSeconds(), c.reactionTimeMaxSeconds())));
    }

    static PhaseSwitching phaseSwitching(BalancerConfig c) {
        if (c.phaseSwitchWh() < 0 || c.phaseSwitchHoldSeconds() < 0 || c.phaseSwitchMarginW() < 0) {
            throw new IllegalArgumentException("phaseSwitchWh, phaseSwitchHoldSeconds and phaseSwitchMarginW are 0 "
                    + "or more, not " + c.phaseSwitchWh() + ", " + c.phaseSwitchHoldSeconds() + ", "
                    + c.phaseSwitchMarginW());
        }
        return new PhaseSwitching(c.phaseSwitching(), c.phaseSwitchWh(), Duration.ofSeconds(c.phaseSwitchHoldSeconds()),
                c.phaseSwitchMarginW());
    }

    /**
     * {@code battery-first} or {@code ev-first}; the reserve (empty or blank for all of the battery's charging
     * power, else W), the battery's maximum charging power (empty or blank: unknown, else W above 0) and the state
     * of charge it counts as full from (above 0, at most 100 %).
     */
    static BatteryPolicy battery(String policy, String reserveW, String maxChargeW, double fullSocPercent) {
        BatteryPolicy.Kind kind = BatteryPolicy.Kind.parse(policy);
        double reserve = watts("batteryReserveW", reserveW).orElse(Double.POSITIVE_INFINITY);
        OptionalDouble max = watts("batteryMaxChargeW", maxChargeW);
        if (max.isPresent() && max.getAsDouble() == 0) {
            throw new IllegalArgumentException("batteryMaxChargeW 0: a battery that charges with nothing; leave it "
                    + "empty when the maximum is unknown");
        }
        if (!(fullSocPercent > 0 && fullSocPercent <= 100)) {
            throw new IllegalArgumentException("batteryFullSocPercent " + fullSocPercent + " is not above 0 and at "
                    + "most 100 %");
        }
        return new BatteryPolicy(kind, reserve, max, fullSocPercent);
    }

    /** Watts, 0 or more and finite, from {@code text}; empty when it is empty or blank. */
    private static OptionalDouble watts(String name, String text) {
        if (text == null || text.isBlank()) {
            return OptionalDouble.empty();
        }
        double w;
        try {
            w = Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " '" + text + "' is not a number of watts");
        }
        if (!(w >= 0) || Double.isInfinite(w)) {
            throw new IllegalArgumentException(name + " " + text + " is not 0 or more watts");
        }
        return OptionalDouble.of(w);
    }

    /**
     * Fast, PV, MinPV (or Min+PV), Off; case does not matter. Scheduled is refused as a default: it needs a
     * session's departure time and energy target (the core would pause such a session as "target reached").
     */
    static Mode mode(String text) {
        Mode m = core(ChargingMode.parse(text));
        if (m == Mode.SCHEDULED) {
            throw new IllegalArgumentException(SCHEDULED_REFUSED);
        }
        return m;
    }

    static final String SCHEDULED_REFUSED = "mode Scheduled needs a departure time and an energy target: it is set "
            + "for a session with both, not as a default";

    /** The core's mode of an API mode, and back: the same names. */
    static Mode core(ChargingMode m) {
        return Mode.valueOf(m.name());
    }

    static ChargingMode api(Mode m) {
        return ChargingMode.valueOf(m.name());
    }

    /** The installer's spelling of a mode. */
    static String modeName(Mode m) {
        return api(m).label();
    }

    PhaseAmps gridLimit() {
        return PhaseAmps.all(gridLimitA);
    }

    PhaseAmps safeBudget() {
        return PhaseAmps.all(safeBudgetA);
    }

    String circuitOf(String chargerId) {
        return chargerCircuits.get(chargerId);
    }

    PhaseRotation rotationOf(String chargerId) {
        return rotations.getOrDefault(chargerId, PhaseRotation.NONE);
    }

    Set<Phase> wiredPhasesOf(String chargerId) {
        return chargerPhases.getOrDefault(chargerId, 3) == 1 ? EnumSet.of(Phase.L1) : EnumSet.allOf(Phase.class);
    }

    double maxAOf(String chargerId) {
        return chargerMaxA.getOrDefault(chargerId, defaultChargerMaxA);
    }

    Mode modeOf(String chargerId) {
        return chargerModes.getOrDefault(chargerId, defaultMode);
    }

    int priorityOf(String chargerId) {
        return priorities.getOrDefault(chargerId, 0);
    }

    private static List<Circuit> circuits(String text) {
        List<Circuit> out = new ArrayList<>();
        Map<String, Circuit> byId = new HashMap<>();
        for (String item : items(text)) {
            String[] f = item.split(":", -1);
            if (f.length < 2 || f.length > 3 || f[0].isBlank()) {
                throw new IllegalArgumentException("circuits: '" + item + "' is not NAME:LIMIT_A or NAME:LIMIT_A:PARENT");
            }
            double limit;
            try {
                limit = Double.parseDouble(f[1].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("circuits: '" + item + "' has no limit in A");
            }
            if (limit <= 0) {
                throw new IllegalArgumentException("circuits: '" + item + "' has no positive limit");
            }
            Circuit ci = new Circuit(f[0].trim(), f.length == 3 && !f[2].isBlank() ? f[2].trim() : null,
                    PhaseAmps.all(limit));
            if (byId.put(ci.id(), ci) != null) {
                throw new IllegalArgumentException("circuits: " + ci.id() + " is named twice");
            }
            out.add(ci);
        }
        for (Circuit ci : out) {
            // every parent must exist and the tree must not loop
            String at = ci.parent();
            int depth = 0;
            while (at != null) {
                Circuit p = byId.get(at);
                if (p == null) {
                    throw new IllegalArgumentException("circuits: " + ci.id() + " hangs from unknown circuit " + at);
                }
                if (++depth > byId.size()) {
                    throw new IllegalArgumentException("circuits: " + ci.id() + " is its own ancestor");
                }
                at = p.parent();
            }
        }
        return out;
    }

    /** {@code KEY=VALUE, KEY=VALUE}, in order. */
    private static <V> Map<String, V> pairs(String name, String text, Function<String, V> value) {
        Map<String, V> out = new LinkedHashMap<>();
        for (String[] kv : entries(name, text, "CHARGER=VALUE")) {
            try {
                out.put(kv[0], value.apply(kv[1]));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(name + ": '" + kv[0] + "=" + kv[1] + "': " + e.getMessage(), e);
            }
        }
        return out;
    }

    /**
     * The {@code KEY=VALUE} entries of a comma-separated text, in order, each as {key, value}, trimmed.
     *
     * @param form how an entry is written, for the message when one is not (e.g. {@code CHARGER=VALUE})
     * @throws IllegalArgumentException naming {@code name} and the entry without a key or a value
     */
    static List<String[]> entries(String name, String text, String form) {
        List<String[]> out = new ArrayList<>();
        for (String item : items(text)) {
            int eq = item.indexOf('=');
            if (eq <= 0 || item.substring(eq + 1).isBlank()) {
                throw new IllegalArgumentException(name + ": '" + item + "' is not " + form);
            }
            out.add(new String[] {item.substring(0, eq).trim(), item.substring(eq + 1).trim()});
        }
        return out;
    }

    private static List<String> items(String text) {
        List<String> out = new ArrayList<>();
        if (text == null) {
            return out;
        }
        for (String s : text.split(",")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return out;
    }
}
