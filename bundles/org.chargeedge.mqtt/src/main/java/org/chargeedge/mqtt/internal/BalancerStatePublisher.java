package org.chargeedge.mqtt.internal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.chargeedge.api.balancer.BalancerStatus;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The load balancer's state out, retained: {@code BASE/balancer/site} (grid limit, whether it is the default,
 * safe budget and whether it is in use, where the budget came from, what is left to the chargers per phase) and
 * {@code BASE/balancer/ID/CONNECTOR} (limit, reason kind and text, mode, priority, whether the charger follows; a
 * Scheduled session's departure, energy still needed and target as set).
 * Only what changed, checked every {@code intervalMillis} of the state configuration (so at most once per
 * interval per topic); all again after a reconnect. Active only while a balancer runs.
 *
 * <p>Threads: every check runs on the bus's timer thread, which owns {@link #lastPublished}; the balancer's
 * status is an immutable value read there.
 */
@Component(service = BalancerStatePublisher.class, configurationPid = StatePublisher.PID, immediate = true)
public class BalancerStatePublisher {

    private final MqttBus bus;
    private final BalancerStatus balancer;
    private final int qos;
    private final MqttBus.Handle onConnect;
    private final MqttBus.Handle timer;
    /** Timer thread only: the document last published per topic. */
    private final Map<String, String> lastPublished = new HashMap<>();

    @Activate
    public BalancerStatePublisher(StateConfig c, @Reference MqttBus bus, @Reference BalancerStatus balancer) {
        this(c.enabled(), Duration.ofMillis(c.intervalMillis()), c.qos(), bus, balancer);
    }

    BalancerStatePublisher(boolean enabled, Duration interval, int qos, MqttBus bus, BalancerStatus balancer) {
        this.bus = bus;
        this.balancer = balancer;
        this.qos = qos;
        if (!enabled) {
            onConnect = null;
            timer = null;
            return;
        }
        onConnect = bus.onConnected(() -> {
            lastPublished.clear();
            tick();
        });
        timer = bus.every(interval, this::tick);
    }

    @Deactivate
    void stop() {
        if (timer != null) {
            timer.close();
            onConnect.close();
        }
    }

    void tick() {
        if (!bus.connected()) {
            return;
        }
        String base = bus.baseTopic() + "/balancer/";
        balancer.site().ifPresent(s -> publishIfChanged(base + "site", site(s)));
        Set<String> present = new HashSet<>();
        for (BalancerStatus.Connector c : balancer.connectors()) {
            String topic = base + c.chargerId() + "/" + c.connectorId();
            present.add(topic);
            publishIfChanged(topic, connector(c));
        }
        // a connector the balancer no longer lists (balancing turned off): its retained state is cleared
        for (String topic : Set.copyOf(lastPublished.keySet())) {
            if (!topic.equals(base + "site") && !present.contains(topic)
                    && bus.publish(topic, new byte[0], qos, true)) {
                lastPublished.remove(topic);
            }
        }
    }

    private void publishIfChanged(String topic, ObjectNode doc) {
        String json = doc.toString();
        if (!json.equals(lastPublished.get(topic))
                && bus.publish(topic, json.getBytes(StandardCharsets.UTF_8), qos, true)) {
            lastPublished.put(topic, json);
        }
    }

    /** The site's figures without the decision's time, which changes at every run. */
    static ObjectNode site(BalancerStatus.Site s) {
        ObjectNode d = SiteDocuments.JSON.createObjectNode();
        d.put("enabled", s.enabled());
        d.put("grid_limit_a", s.gridLimitA());
        d.put("grid_limit_default", s.gridLimitDefault());
        d.put("safe_budget_a", s.safeBudgetA());
        d.put("safe_budget_in_use", s.safeBudgetInUse());
        d.put("budget", s.budget());
        if (s.priceSource() != null) {
            d.put("price_source", s.priceSource());
        }
        d.putObject("available_a").put("l1", s.available().l1()).put("l2", s.available().l2())
                .put("l3", s.available().l3());
        return d;
    }

    static ObjectNode connector(BalancerStatus.Connector c) {
        ObjectNode d = SiteDocuments.JSON.createObjectNode();
        d.put("charge_point_id", c.chargerId());
        d.put("connector_id", c.connectorId());
        if (c.transactionId() != null) {
            d.put("transaction_id", c.transactionId());
        }
        d.put("limit_a", c.limitA());
        d.put("reason_kind", c.reasonKind().name());
        d.put("reason", c.reason());
        if (c.reasonUntil() != null) {
            d.put("reason_until", c.reasonUntil().toString());
        }
        d.put("mode", c.mode().label());
        d.put("mode_origin", c.modeOrigin().name());
        d.put("priority", c.priority());
        if (c.group() != null) {
            d.put("group", c.group());
        }
        d.put("control", c.control().name());
        d.put("obeys", c.obeys());
        if (c.departure() != null) {
            d.put("departure", c.departure().toString());
        }
        if (c.energyNeededWh() != null) {
            d.put("energy_needed_kwh", c.energyNeededWh() / 1000);
        }
        if (c.energyTargetWh() != null) {
            d.put("energy_target_kwh", c.energyTargetWh() / 1000);
        }
        return d;
    }
}
