package org.chargeedge.mqtt.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;
import org.chargeedge.api.energy.EnergySnapshot;
import org.chargeedge.api.energy.Freshness;
import org.chargeedge.api.energy.SiteEnergy;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Felix health check "MQTT" (tags {@code chargeedge}, {@code mqtt}): the broker
 * connection, the inputs' configurations, and whether the energy values the
 * inputs feed are fresh. Problems are warnings, never critical: the site keeps
 * charging without MQTT (the load balancer falls back to its safe budget), so
 * a broker outage must not fail {@code /health} nor make an update job roll
 * back. A site without a broker is OK.
 *
 * <p>Fields are written by DS on its threads and read by the health checker's
 * thread: volatile references and a copy-on-write list (changes are rare).
 */
@Component(property = {HealthCheck.NAME + "=MQTT", HealthCheck.TAGS + "=chargeedge",
        HealthCheck.TAGS + "=mqtt"})
public class MqttHealthCheck implements HealthCheck {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile BrokerConnection connection;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile SiteEnergy siteEnergy;
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private final List<MqttInput> inputs = new CopyOnWriteArrayList<>();

    public MqttHealthCheck() {
    }

    MqttHealthCheck(BrokerConnection connection, SiteEnergy siteEnergy, List<MqttInput> inputs) {
        this.connection = connection;
        this.siteEnergy = siteEnergy;
        this.inputs.addAll(inputs);
    }

    @Override
    public Result execute() {
        BrokerConnection c = connection;
        BrokerConnection.State state = c == null ? null : c.state();
        if (state == null || state.serverUri() == null) {
            return new Result(Result.Status.OK, "no MQTT broker configured");
        }
        List<String> problems = new ArrayList<>();
        if (!state.connected()) {
            problems.add("broker " + state.serverUri() + " not connected (" + state.failedAttempts()
                    + " failed attempts" + (state.lastError() == null ? "" : ", last error: " + state.lastError())
                    + "); energy values from MQTT are unknown until it is back");
        }
        for (MqttInput input : inputs) {
            if (input.problem() != null) {
                problems.add("input " + input.name() + " does not run: " + input.problem());
            }
        }
        SiteEnergy e = siteEnergy;
        int fresh = 0;
        if (e != null) {
            EnergySnapshot snap = e.snapshot();
            fresh = snap.measurements().size();
            Map<String, String> unknown = new TreeMap<>();
            snap.withheld().keySet().forEach(k -> unknown.put(k.toString(),
                    snap.freshness(k) == Freshness.AGE_UNKNOWN ? "retained, age unknown" : "stale"));
            if (!unknown.isEmpty()) {
                List<String> each = new ArrayList<>();
                unknown.forEach((k, why) -> each.add(k + " (" + why + ")"));
                problems.add("unknown values: " + String.join(", ", each));
            }
        }
        if (!problems.isEmpty()) {
            return new Result(Result.Status.WARN, String.join("; ", problems));
        }
        return new Result(Result.Status.OK, "connected to " + state.serverUri() + " since " + state.since() + "; "
                + inputs.size() + " input(s), " + fresh + " fresh value(s)");
    }
}
