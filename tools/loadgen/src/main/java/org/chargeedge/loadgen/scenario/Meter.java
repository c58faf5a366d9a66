package org.chargeedge.loadgen.scenario;

import java.util.SplittableRandom;

/**
 * A plausible three-phase 11 kW energy meter: the register grows with real elapsed time at the
 * current power, currents follow the power per phase at 230 V.
 */
public final class Meter {

    private final SplittableRandom random;
    private double energyWh;
    private double powerW;
    private long lastNanos;

    public Meter(int seed) {
        this.random = new SplittableRandom(0x5eed_0000L + seed);
        this.energyWh = 1_000 + random.nextInt(500_000);
        this.powerW = 11_040;
        this.lastNanos = System.nanoTime();
    }

    /** Advances the meter to now and returns the energy register in Wh. */
    public double sample() {
        long now = System.nanoTime();
        double hours = (now - lastNanos) / 3.6e12;
        lastNanos = now;
        energyWh += powerW * hours;
        powerW = 11_040 * (0.9 + 0.1 * random.nextDouble());
        return energyWh;
    }

    public double energyWh() {
        return energyWh;
    }

    public double powerW() {
        return powerW;
    }

    /** Current on one phase (0..2) in A, slightly unbalanced. */
    public double currentA(int phase) {
        double perPhase = powerW / 3 / 230;
        return perPhase * (1 + (phase - 1) * 0.01);
    }
}
