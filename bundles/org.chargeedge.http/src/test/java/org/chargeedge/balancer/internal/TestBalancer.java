package org.chargeedge.balancer.internal;

import java.lang.reflect.Proxy;
import java.util.Map;

import org.chargeedge.api.charger.ChargerCommands;
import org.chargeedge.api.charger.SiteView;

/**
 * The real load balancer for another bundle's tests: its controller over the given site (no energy model, so
 * the safe budget holds) and its API services. In the balancer's package because its classes are internal.
 */
public final class TestBalancer implements AutoCloseable {

    private final BalancerController controller;
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

    @Override
    public void close() {
        controller.close();
    }
}
