package org.chargeedge.balancer.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.OptionalDouble;

import org.chargeedge.api.authorization.AuthorizationCache;
import org.chargeedge.api.authorization.LocalAuthorizationList;
import org.chargeedge.api.charger.ChargerCommands;
import org.chargeedge.api.charger.ChargerEvents;
import org.chargeedge.api.charger.SiteView;
import org.chargeedge.api.energy.PriceForecast;
import org.chargeedge.api.energy.SiteEnergy;
import org.chargeedge.api.smartcharging.CsmsLimits;
import org.chargeedge.api.smartcharging.GatewayLimits;
import org.chargeedge.api.store.BalancerMemory;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Local load balancing as a component: follows the chargers' and the energy
 * model's events and runs {@link BalancerController}. EventAdmin's thread only
 * hands the event over to the controller thread.
 */
@Component(configurationPid = BalancerComponent.PID, immediate = true,
        service = {EventHandler.class, BalancerComponent.class, GatewayLimits.class},
        property = {EventConstants.EVENT_TOPIC + "=" + ChargerEvents.TOPIC_ALL,
                EventConstants.EVENT_TOPIC + "=" + SiteEnergy.TOPIC_MEASUREMENT})
@Designate(ocd = BalancerConfig.class)
public class BalancerComponent implements EventHandler, GatewayLimits {

    static final String PID = "org.chargeedge.balancer";

    private final BalancerController controller;
    /** How long a starting controller sends nothing while it waits for the store to be bound. */
    static final Duration STORE_GRACE = Duration.ofSeconds(2);

    /** Optional: without the energy model the grid is unknown and the safe budget holds. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile SiteEnergy siteEnergy;

    /** Optional: the CSMS's own profiles as upper bounds (the upstream link); without it no CSMS limit. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile CsmsLimits csmsLimits;

    /**
     * Optional: a dynamic price series (MQTT) for Scheduled sessions, used where it covers a time and while fresh;
     * without it the configured tariff. Greedy: a series that appears later is taken at once.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile PriceForecast priceForecast;

    /** Optional: parentIdTags for idTag groups, from the local authorization list, then the cache. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile LocalAuthorizationList localList;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile AuthorizationCache authorizationCache;

    @Activate
    public BalancerComponent(@Reference SiteView view, @Reference ChargerCommands commands, BalancerConfig config) {
        controller = new BalancerController(SiteSettings.from(config), view, commands, () -> {
            SiteEnergy e = siteEnergy;
            return e == null ? null : e.snapshot();
        }, () -> csmsLimits, Clock.systemUTC());
        controller.prices().use(() -> priceForecast);
        controller.groups().use(() -> localList, () -> authorizationCache);
        // the store, if one runs, is bound right after this constructor: no command before it was read
        controller.start(STORE_GRACE);
    }

    /**
     * Optional: with a store, session modes, chargers' run-time modes and learnt capabilities survive a restart.
     * Bound after activation (DS binds dynamic references once the component is active), so the controller exists.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "forgetStore")
    void rememberStore(BalancerMemory store) {
        controller.remember(store);
    }

    void forgetStore(BalancerMemory store) {
        controller.forgetStore(store);
    }

    @Modified
    void modified(BalancerConfig config) {
        controller.reconfigure(SiteSettings.from(config));
    }

    @Deactivate
    void deactivate() {
        controller.close();
    }

    @Override
    public void handleEvent(Event event) {
        controller.onEvent(event.getTopic());
    }

    @Override
    public OptionalDouble limitA(String chargePointId, int connectorId) {
        BalanceStatus s = controller.status();
        return s == null ? OptionalDouble.empty() : s.limitInForce(chargePointId, connectorId);
    }

    BalancerController controller() {
        return controller;
    }
}
