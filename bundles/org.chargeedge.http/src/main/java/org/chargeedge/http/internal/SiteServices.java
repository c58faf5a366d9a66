package org.chargeedge.http.internal;

import java.util.Optional;

import org.chargeedge.api.authorization.LocalAuthorizationList;
import org.chargeedge.api.balancer.BalancerModes;
import org.chargeedge.api.balancer.BalancerStatus;
import org.chargeedge.api.charger.CallStatistics;
import org.chargeedge.api.charger.ChargerAccess;
import org.chargeedge.api.charger.ChargerCommands;
import org.chargeedge.api.charger.SiteView;
import org.chargeedge.api.energy.SiteEnergy;
import org.chargeedge.api.mqtt.MqttStatus;
import org.chargeedge.api.store.ParkedMessages;
import org.chargeedge.api.store.SiteStore;
import org.chargeedge.api.upstream.UpstreamStatus;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The site's services as the API, the metrics and the health checks read
 * them. The central system's are required; the others come and go (a bundle
 * being updated, no CSMS configured, no broker) and the API says so instead of
 * failing. Fields are volatile: DS writes them on its thread, HTTP threads read.
 */
@Component(service = SiteServices.class)
public class SiteServices {

    @Reference
    volatile SiteView siteView;
    @Reference
    volatile ChargerCommands commands;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile SiteStore store;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile ParkedMessages parked;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile UpstreamStatus upstream;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile SiteEnergy energy;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile ChargerAccess access;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile LocalAuthorizationList localList;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile CallStatistics calls;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile BalancerStatus balancerStatus;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile BalancerModes balancerModes;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile MqttStatus mqtt;

    public SiteServices() {
    }

    /** Services given directly, outside the framework (tests); any may be null but the first two. */
    static SiteServices of(SiteView siteView, ChargerCommands commands, SiteStore store, UpstreamStatus upstream,
                           SiteEnergy energy, ChargerAccess access) {
        SiteServices s = new SiteServices();
        s.siteView = siteView;
        s.commands = commands;
        s.store = store;
        s.upstream = upstream;
        s.energy = energy;
        s.access = access;
        return s;
    }

    SiteView siteView() {
        return siteView;
    }

    ChargerCommands commands() {
        return commands;
    }

    Optional<SiteStore> store() {
        return Optional.ofNullable(store);
    }

    Optional<ParkedMessages> parked() {
        return Optional.ofNullable(parked);
    }

    Optional<UpstreamStatus> upstream() {
        return Optional.ofNullable(upstream);
    }

    Optional<SiteEnergy> energy() {
        return Optional.ofNullable(energy);
    }

    Optional<ChargerAccess> access() {
        return Optional.ofNullable(access);
    }

    Optional<LocalAuthorizationList> localList() {
        return Optional.ofNullable(localList);
    }

    Optional<CallStatistics> calls() {
        return Optional.ofNullable(calls);
    }

    Optional<BalancerStatus> balancerStatus() {
        return Optional.ofNullable(balancerStatus);
    }

    Optional<BalancerModes> balancerModes() {
        return Optional.ofNullable(balancerModes);
    }

    Optional<MqttStatus> mqtt() {
        return Optional.ofNullable(mqtt);
    }

    /** The service or a 503 naming the part of the gateway that is not running. */
    static <T> T required(Optional<T> service, String what) throws Json.ApiException {
        return service.orElseThrow(() -> new Json.ApiException(503, what + " is not running"));
    }
}
