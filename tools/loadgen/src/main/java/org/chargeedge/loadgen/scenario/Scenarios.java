package org.chargeedge.loadgen.scenario;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The registry of scenarios known to {@code --scenario}. Add a new scenario here. */
public final class Scenarios {

    private static final Map<String, Scenario> ALL = new LinkedHashMap<>();

    static {
        register(new HeartbeatScenario());
        register(new MeterScenario());
        register(new MixedScenario());
        register(new TransactionsScenario());
    }

    private Scenarios() {
    }

    private static void register(Scenario s) {
        ALL.put(s.name(), s);
    }

    public static List<String> names() {
        return new ArrayList<>(ALL.keySet());
    }

    public static Scenario get(String name) {
        Scenario s = ALL.get(name);
        if (s == null) {
            throw new IllegalArgumentException("unknown scenario " + name);
        }
        return s;
    }

    public static Map<String, Scenario> all() {
        return java.util.Collections.unmodifiableMap(ALL);
    }
}
