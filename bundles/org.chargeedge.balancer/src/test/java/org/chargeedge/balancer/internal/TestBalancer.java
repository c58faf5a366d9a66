package org.chargeedge.balancer.internal;

import java.lang.reflect.Proxy;
import java.util.Map;

import org.chargeedge.api.charger.ChargerCommands;
import org.chargeedge.api.charger.SiteView;

/**
 * The real load balancer for other bundles' tests (in this module's test jar): its controller over the given
 * site (no energy model, so the safe budget holds), its API services, and simulated chargers that follow their
 * profiles. In the balancer's package because its classes are internal.
 */
public final class TestBalancer implements AutoCloseable {

    private final BalancerController controller;
    private final java.util.List<SimCharger> chargers = new java.util.concurrent.CopyOnWriteArrayList<>();
    public final BalancerService service;

    /** {@code properties} over the configuration's defaults. */
    public TestBalancer(SiteView view, ChargerCommands commands, Map<String, Object> properties) {
        BalancerConfig config = (BalancerConfig) Proxy.newProxyInstance(BalancerConfig.class.getClassLoader(),
                new Class<?>[] {BalancerConfig.class}, (proxy, method, args) -> {
                    if (method.getName().equals("annotationType")) {
                        return BalancerConfig.class;
                    }
                    Object value = properties.get(method.getName());
                    return value != null ? value : method.getDefaultValue();
                });
        controller = new BalancerController(SiteSettings.from(config), view, commands, () -> null,
                java.time.Clock.systemUTC());
        controller.start();
        service = new BalancerService(controller);
    }

    /** What {@code store} kept is taken, and changes are written to it, as when the component's store binds. */
    public void remember(org.chargeedge.api.store.BalancerMemory store) {
        controller.remember(store);
    }

    /** Scheduled sessions' prices from {@code forecast} where it covers a time, the configured tariff elsewhere. */
    public void usePrices(org.chargeedge.api.energy.PriceForecast forecast) {
        controller.prices().use(() -> forecast);
    }

    /** Where the prices of the last run came from, as {@code chargeedge:balance} shows it. */
    public String priceSource() {
        return controller.prices().source();
    }

    /** Connects a simulated charger (3-phase car, 32 A, follows at once), boots it, connector 1 Available. */
    public void connectCharger(String url, String chargePointId) throws Exception {
        SimCharger c = new SimCharger(url, chargePointId, 3, 32, java.time.Duration.ZERO);
        chargers.add(c);
        c.boot();
        c.status("Available");
    }

    /** Starts a session on the charger's connector 1; returns its transaction id. */
    public int startSession(String chargePointId) throws Exception {
        return chargers.stream().filter(c -> c.id.equals(chargePointId)).findFirst().orElseThrow().start();
    }

    @Override
    public void close() throws Exception {
        for (SimCharger c : chargers) {
            c.close();
        }
        controller.close();
    }
}
