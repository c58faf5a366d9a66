package org.chargeedge.balancer.internal;

import static org.assertj.core.api.Assertions.fail;

import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.chargeedge.api.energy.Measurement;
import org.chargeedge.api.energy.MeasurementKey;
import org.chargeedge.api.energy.Meter;
import org.chargeedge.api.energy.PhaseRef;
import org.chargeedge.api.energy.Quantity;
import org.chargeedge.centralsystem.internal.CentralSystemHarness;
import org.chargeedge.centralsystem.internal.TestEvents;
import org.chargeedge.energy.internal.SiteEnergyComponent;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;

/**
 * A real site for the controller's tests and the benchmark: the central
 * system on a loopback port, the real energy model, the controller, and
 * simulated chargers connected over WebSockets. Events reach the controller
 * as EventAdmin would deliver them (the controller only hands them to its
 * thread). The grid meter shows the building load plus what the simulated
 * cars draw, per phase (1-phase cars on L1).
 */
final class TestSite implements AutoCloseable {

    final CentralSystemHarness centralSystem;
    final SiteEnergyComponent energy = new SiteEnergyComponent();
    /** Replaced by {@link #restartController}; read by the event thread. */
    volatile BalancerController controller;
    /** Replaced by {@link #restartController(Map)}; read by the test thread only. */
    private BalancerConfig config;
    private final Map<String, Object> properties;
    final List<SimCharger> chargers = new ArrayList<>();
    /** The building's own load per phase, A; set by the test thread. */
    volatile double buildingA;

    TestSite(Path dir, Map<String, Object> config) throws Exception {
        centralSystem = new CentralSystemHarness(dir);
        this.properties = Map.copyOf(config);
        this.config = config(config);
        controller = newController();
        EventAdmin events = new EventAdmin() {
            @Override
            public void postEvent(Event event) {
                controller.onEvent(event.getTopic());
            }

            @Override
            public void sendEvent(Event event) {
                controller.onEvent(event.getTopic());
            }
        };
        TestEvents.bind(centralSystem, events);
        Field f = SiteEnergyComponent.class.getDeclaredField("eventAdmin");
        f.setAccessible(true);
        f.set(energy, events);
        controller.start();
    }

    private BalancerController newController() {
        return new BalancerController(SiteSettings.from(config), centralSystem.siteView(), centralSystem.commands(),
                energy::snapshot, Clock.systemUTC());
    }

    /** The gateway's balancer stops and a new one starts, with nothing in memory; the chargers stay. */
    BalancerController restartController() {
        controller.close();
        controller = newController();
        controller.start();
        return controller;
    }

    /**
     * As {@link #restartController()}, the new one configured with {@code overrides} over the site's settings, and
     * started as the component starts it: sending nothing until the store is given or 2 s have passed.
     */
    BalancerController restartController(Map<String, Object> overrides) {
        Map<String, Object> p = new HashMap<>(properties);
        p.putAll(overrides);
        config = config(p);
        controller.close();
        controller = newController();
        controller.start(BalancerComponent.STORE_GRACE);
        return controller;
    }

    SimCharger charger(String id, int carPhases, double carMaxA, Duration reaction, SimCharger.Quirk... quirks)
            throws Exception {
        SimCharger c = new SimCharger(centralSystem.url(id), id, carPhases, carMaxA, reaction, quirks);
        chargers.add(c);
        c.boot();
        return c;
    }

    /**
     * Publishes the grid meter: building plus the cars' draws as they last reported them, per phase, valid for
     * {@code staleAfter}. (A real meter and the chargers' reports are not in step; here they are, so that a test
     * sees the controller's decisions and not the lag between two meters.)
     */
    void gridReading(Duration staleAfter) {
        double[] phase = gridPhases();
        Instant now = Instant.now();
        PhaseRef[] refs = {PhaseRef.L1, PhaseRef.L2, PhaseRef.L3};
        for (int i = 0; i < 3; i++) {
            energy.accept(new Measurement(new MeasurementKey(Meter.GRID, Quantity.CURRENT, refs[i]), phase[i], now,
                    staleAfter, "test grid meter"));
        }
    }

    void gridReading() {
        gridReading(Duration.ofSeconds(30));
    }

    /** The highest phase current the grid meter would show now. */
    double gridMaxPhase() {
        double[] phase = gridPhases();
        return Math.max(phase[0], Math.max(phase[1], phase[2]));
    }

    private double[] gridPhases() {
        double[] phase = {buildingA, buildingA, buildingA};
        for (SimCharger c : chargers) {
            if (c.transactionId != null) {
                for (int i = 0; i < c.activePhases(); i++) {
                    phase[i] += c.reportedA;
                }
            }
        }
        return phase;
    }

    interface Check {
        boolean holds() throws Exception;
    }

    /** Waits until {@code condition} holds; fails with the balancer's state and the profiles the chargers got. */
    void until(String what, Check condition, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                StringBuilder profiles = new StringBuilder();
                for (SimCharger c : chargers) {
                    profiles.append(c.id).append(": ");
                    c.profiles.forEach(p -> profiles.append(p.purpose().charAt(2)).append(' ').append(p.limit())
                            .append(' ').append(p.answer().charAt(0)).append(", "));
                    profiles.append('\n');
                }
                fail("timed out after " + timeout + " waiting for " + what + "; the balancer:\n"
                        + BalanceCommands.render(controller.status()) + "profiles received:\n" + profiles);
            }
            Thread.sleep(20);
        }
    }

    void until(String what, Check condition) throws Exception {
        until(what, condition, Duration.ofSeconds(5));
    }

    @Override
    public void close() throws Exception {
        for (SimCharger c : chargers) {
            c.close();
        }
        controller.close();
        centralSystem.close();
    }

    /** The component's configuration: the given properties over the annotation's defaults. */
    static BalancerConfig config(Map<String, Object> properties) {
        Map<String, Object> p = new HashMap<>(properties);
        return (BalancerConfig) Proxy.newProxyInstance(BalancerConfig.class.getClassLoader(),
                new Class<?>[] {BalancerConfig.class}, (proxy, method, args) -> {
                    if (method.getName().equals("annotationType")) {
                        return BalancerConfig.class;
                    }
                    if (method.getDeclaringClass() == Object.class) {
                        return null;
                    }
                    Object value = p.get(method.getName());
                    return value != null ? value : method.getDefaultValue();
                });
    }
}
