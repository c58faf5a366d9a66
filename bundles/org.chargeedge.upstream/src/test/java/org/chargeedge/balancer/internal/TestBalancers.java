package org.chargeedge.balancer.internal;

import java.time.Clock;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Supplier;

import org.chargeedge.api.charger.ChargerCommands;
import org.chargeedge.api.charger.SiteView;
import org.chargeedge.api.smartcharging.CsmsLimits;
import org.chargeedge.api.smartcharging.GatewayLimits;

/**
 * The real load balancer's controller for the upstream link's tests, as its component runs it:
 * without an energy model (the safe budget holds) and with the link's CSMS limits. It runs on its
 * 1 s tick; no events are needed.
 */
public final class TestBalancers {

    private TestBalancers() {
    }

    /** A running balancer; closing it stops its thread. */
    public interface Running extends GatewayLimits, AutoCloseable {
        @Override
        void close();
    }

    public static Running start(SiteView view, ChargerCommands commands, Supplier<CsmsLimits> csms,
                                Map<String, Object> properties) {
        BalancerController controller = new BalancerController(SiteSettings.from(TestSite.config(properties)), view,
                commands, () -> null, csms, Clock.systemUTC());
        controller.start();
        return new Running() {
            @Override
            public OptionalDouble limitA(String chargePointId, int connectorId) {
                BalanceStatus s = controller.status();
                return s == null ? OptionalDouble.empty() : s.limitInForce(chargePointId, connectorId);
            }

            @Override
            public void close() {
                controller.close();
            }
        };
    }
}
