package org.chargeedge.balancer.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalDouble;

import org.chargeedge.balancer.core.SiteSnapshot.Charger;
import org.chargeedge.balancer.core.SiteSnapshot.Circuit;
import org.chargeedge.balancer.core.SiteSnapshot.Connector;
import org.chargeedge.balancer.core.SiteSnapshot.Grid;
import org.chargeedge.balancer.core.SiteSnapshot.Measurements;
import org.chargeedge.balancer.core.SiteSnapshot.PhaseAmps;
import org.chargeedge.balancer.core.SiteSnapshot.Settings;
import org.chargeedge.balancer.core.SiteSnapshot.Tariff;

/** A site under test, built up step by step; {@link #snapshot} freezes it. */
final class Site {

    static final Instant T0 = Instant.parse("2026-06-01T10:00:00Z");

    Grid grid = new Grid(PhaseAmps.all(32), OptionalDouble.empty(), PhaseAmps.all(10));
    final List<Circuit> circuits = new ArrayList<>();
    final List<Charger> chargers = new ArrayList<>();
    final List<Connector> connectors = new ArrayList<>();
    Measurements measurements = Measurements.NONE;
    Tariff tariff = Tariff.FLAT;
    Settings settings = Settings.DEFAULT;

    Site grid(double perPhase, double safeBudget) {
        grid = new Grid(PhaseAmps.all(perPhase), grid.totalKw(), PhaseAmps.all(safeBudget));
        return this;
    }

    Site gridMeter(double l1, double l2, double l3) {
        measurements = new Measurements(Reading.fresh(l1), Reading.fresh(l2), Reading.fresh(l3),
                measurements.gridPowerW(), measurements.pvPowerW(), measurements.batteryPowerW(),
                measurements.buildingPowerW());
        return this;
    }

    Site gridPower(double w) {
        Measurements m = measurements;
        measurements = new Measurements(m.gridL1(), m.gridL2(), m.gridL3(), Reading.fresh(w), m.pvPowerW(),
                m.batteryPowerW(), m.buildingPowerW());
        return this;
    }

    Site charger(String id, String circuit, PhaseRotation rotation, double maxA, Phase... wired) {
        chargers.add(new Charger(id, circuit, rotation,
                wired.length == 0 ? EnumSet.allOf(Phase.class) : EnumSet.of(wired[0], wired), maxA));
        return this;
    }

    Site charging(String id, double maxA) {
        charger(id, null, PhaseRotation.NONE, maxA);
        connectors.add(Connector.charging(id, 1, "s-" + id));
        return this;
    }

    Site connector(Connector c) {
        connectors.add(c);
        return this;
    }

    Connector connector(String chargerId) {
        return connectors.stream().filter(c -> c.ref().chargerId().equals(chargerId)).findFirst().orElseThrow();
    }

    Site replace(String chargerId, java.util.function.UnaryOperator<Connector> change) {
        connectors.replaceAll(c -> c.ref().chargerId().equals(chargerId) ? change.apply(c) : c);
        return this;
    }

    SiteSnapshot snapshot(Instant now, BalancerState previous) {
        return new SiteSnapshot(now, grid, circuits, chargers, measurements, connectors, tariff, settings, previous);
    }

    Allocation allocate() {
        return Balancer.allocate(snapshot(T0, BalancerState.INITIAL));
    }

    static double limit(Allocation a, String chargerId) {
        return a.limits().stream().filter(l -> l.ref().chargerId().equals(chargerId)).findFirst().orElseThrow()
                .limitA();
    }

    static Allocation.Reason reason(Allocation a, String chargerId) {
        return a.limits().stream().filter(l -> l.ref().chargerId().equals(chargerId)).findFirst().orElseThrow()
                .reason();
    }
}
