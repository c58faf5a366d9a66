package org.chargeedge.mqtt.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;
import org.chargeedge.api.energy.EnergySnapshot;
import org.chargeedge.api.energy.MeasurementKey;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Felix health check "MQTT" (tags {@code chargeedge}, {@code mqtt}): the broker
 * connection, the inputs' configurations, and whether the energy values the
 * inputs feed are fresh. Problems are warnings, never critical: the site keeps
 * charging without MQTT (the load balancer falls back to its safe budget), so
 * a broker outage must not fail {@code /health} nor make an update job roll
 * back. A site without a broker is OK.
 *
 * <p>Reads {@link MqttStatusService} on the health checker's thread; holds no state.
 */
@Component(property = {HealthCheck.NAME + "=MQTT", HealthCheck.TAGS + "=chargeedge",
        HealthCheck.TAGS + "=mqtt"})
public class MqttHealthCheck implements HealthCheck {

    private final MqttStatusService status;

    @Activate
    public MqttHealthCheck(@Reference MqttStatusService status) {
        this.status = status;
    }

    @Override
    public Result execute() {
        BrokerConnection.State state = status.brokerState();
        if (state == null || state.serverUri() == null) {
            return new Result(Result.Status.OK, "no MQTT broker configured");
        }
        List<String> problems = new ArrayList<>();
        if (!state.connected()) {
            problems.add("broker " + MqttStatusService.withoutCredentials(state.serverUri()) + " not connected ("
                    + state.failedAttempts() + " failed attempts"
                    + (state.lastError() == null ? "" : ", last error: " + state.lastError())
                    + "); energy values from MQTT are unknown until it is back");
        }
        List<MqttInput> inputs = status.inputs();
        for (MqttInput input : inputs) {
            if (input.problem() != null) {
                problems.add("input " + input.name() + " does not run: " + input.problem());
            }
        }
        EnergySnapshot snap = status.energySnapshot();
        int fresh = snap == null ? 0 : snap.measurements().size();
        Map<MeasurementKey, String> unknown = MqttStatusService.unknownValues(snap);
        if (!unknown.isEmpty()) {
            List<String> each = new ArrayList<>();
            unknown.forEach((k, why) -> each.add(k + " (" + why + ")"));
            problems.add("unknown values: " + String.join(", ", each));
        }
        if (!problems.isEmpty()) {
            return new Result(Result.Status.WARN, String.join("; ", problems));
        }
        return new Result(Result.Status.OK, "connected to " + MqttStatusService.withoutCredentials(state.serverUri())
                + " since " + state.since() + "; " + inputs.size() + " input(s), " + fresh + " fresh value(s)");
    }
}
