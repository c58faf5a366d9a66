package org.chargeedge.api.energy;

import java.util.Objects;

/**
 * Where a measurement is taken: one of the site's fixed meters, or a named
 * sub-circuit ({@code circuit:NAME}).
 */
public record Meter(String name) {

    public static final Meter GRID = new Meter("grid");
    public static final Meter PV = new Meter("pv");
    public static final Meter BATTERY = new Meter("battery");
    public static final Meter BUILDING = new Meter("building");

    public Meter {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("meter name is blank");
        }
    }

    public static Meter circuit(String circuitName) {
        return new Meter("circuit:" + circuitName);
    }

    @Override
    public String toString() {
        return name;
    }
}
