package org.chargeedge.mqtt.internal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import org.chargeedge.api.charger.ChargerInfo;
import org.chargeedge.api.charger.SiteView;
import org.chargeedge.api.energy.EnergySnapshot;
import org.chargeedge.api.energy.MeasurementKey;
import org.chargeedge.api.energy.Quantity;
import org.chargeedge.api.energy.SiteEnergy;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Publishes the site under the base topic, retained: {@code BASE/site} (the
 * energy model's fresh values, null when unknown) and {@code BASE/charger/ID}
 * per charger; optionally Home Assistant discovery for both. Checks for
 * changes every {@code intervalMillis} on the bus's timer thread, which owns
 * all of this object's mutable state.
 */
@Component(service = StatePublisher.class, configurationPid = StatePublisher.PID, immediate = true)
@Designate(ocd = StateConfig.class)
public class StatePublisher {

    static final String PID = "org.chargeedge.mqtt.state";
    private static final Logger LOG = LoggerFactory.getLogger(StatePublisher.class);

    record Settings(boolean enabled, Duration interval, Duration republish, int qos, boolean homeAssistant,
                    String discoveryPrefix, String nodeId) {}

    private final MqttBus bus;
    private final Settings settings;
    private final Supplier<EnergySnapshot> energy;
    private final Supplier<List<ChargerInfo>> chargers;
    private final List<MqttBus.Handle> handles = new ArrayList<>();

    /** Timer thread only: what was last published per topic, to publish changes only. */
    private final Map<String, String> lastPublished = new HashMap<>();
    private final Set<String> announcedChargers = new HashSet<>();
    private final Set<String> announcedFields = new HashSet<>();
    private long lastFullNanos = System.nanoTime();
    /** Set on the callback thread when Home Assistant restarts, cleared by the timer thread. */
    private volatile boolean rediscoverRequested;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile SiteEnergy siteEnergy;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile SiteView siteView;
    /** When commands are on, Home Assistant gets a current-limit control for each allowed charger. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile CommandInput commandInput;
    private final Supplier<CommandInput> commands;
    /** DS adds and removes inputs on its own threads while the timer thread reads: a concurrent list. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private final List<MqttInput> inputs = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Activate
    public StatePublisher(StateConfig c, @Reference MqttBus bus) {
        this.bus = bus;
        this.settings = new Settings(c.enabled(), Duration.ofMillis(c.intervalMillis()),
                Duration.ofSeconds(c.republishSeconds()), c.qos(), c.homeAssistant(), trimSlash(c.discoveryPrefix()),
                c.nodeId().isBlank() ? bus.baseTopic().replaceAll("[^A-Za-z0-9_-]", "_") : c.nodeId().strip());
        this.energy = () -> {
            SiteEnergy e = siteEnergy;
            return e == null ? null : e.snapshot();
        };
        this.chargers = () -> {
            SiteView v = siteView;
            return v == null ? List.of() : v.chargers();
        };
        this.commands = () -> commandInput;
        start();
    }

    StatePublisher(Settings settings, MqttBus bus, Supplier<EnergySnapshot> energy,
                   Supplier<List<ChargerInfo>> chargers, Supplier<CommandInput> commands) {
        this.bus = bus;
        this.settings = settings;
        this.energy = energy;
        this.chargers = chargers;
        this.commands = commands;
        start();
    }

    private void start() {
        if (!settings.enabled()) {
            return;
        }
        handles.add(bus.onConnected(this::publishAll));
        handles.add(bus.every(settings.interval(), this::tick));
        if (settings.homeAssistant()) {
            // Home Assistant publishes "online" here when it starts: it has forgotten every discovery then
            handles.add(bus.subscribe(settings.discoveryPrefix() + "/status", 1, (topic, payload, retained) -> {
                if ("online".equals(new String(payload, StandardCharsets.UTF_8).strip())) {
                    rediscoverRequested = true; // handled by the next tick, on the timer thread
                }
            }));
        }
    }

    @Deactivate
    void stop() {
        handles.forEach(MqttBus.Handle::close);
    }

    /** After a (re)connect or Home Assistant's restart: everything again. */
    private void publishAll() {
        lastPublished.clear();
        announcedChargers.clear();
        announcedFields.clear();
        tick();
    }

    void tick() {
        if (!bus.connected()) {
            return;
        }
        if (rediscoverRequested) {
            rediscoverRequested = false;
            announcedChargers.clear();
            announcedFields.clear();
        }
        if (System.nanoTime() - lastFullNanos > settings.republish().toNanos() && !settings.republish().isZero()) {
            lastFullNanos = System.nanoTime();
            lastPublished.clear();
        }
        String base = bus.baseTopic();
        List<String> warnings = new ArrayList<>();
        for (MqttInput i : inputs) {
            String w = i.gridWarning();
            if (!w.isEmpty()) {
                warnings.add(i.name() + ": " + w);
            }
        }
        ObjectNode site = SiteDocuments.site(energy.get(), warnings);
        publishIfChanged(base + "/site", site);
        if (settings.homeAssistant()) {
            site.fieldNames().forEachRemaining(f -> {
                if (announcedFields.add(f)) {
                    discoverSiteField(f);
                }
            });
        }
        for (ChargerInfo c : chargers.get()) {
            publishIfChanged(base + "/charger/" + c.chargePointId(), SiteDocuments.charger(c));
            CommandInput ci = settings.homeAssistant() ? commands.get() : null;
            boolean controllable = ci != null && ci.accepts(c.chargePointId());
            // announced again when commands for it come or go
            if (settings.homeAssistant() && announcedChargers.add(c.chargePointId() + "|" + controllable)) {
                discoverCharger(c, controllable ? ci.settings() : null);
            }
        }
    }

    private void publishIfChanged(String topic, ObjectNode doc) {
        String json = doc.toString();
        if (!json.equals(lastPublished.get(topic)) && bus.publish(topic, json.getBytes(StandardCharsets.UTF_8),
                settings.qos(), true)) {
            lastPublished.put(topic, json);
        }
    }

    // ---- Home Assistant discovery ------------------------------------------------------------------------------

    private ObjectNode siteDevice() {
        ObjectNode d = SiteDocuments.JSON.createObjectNode();
        d.putArray("identifiers").add(settings.nodeId());
        d.put("name", "ChargeEdge " + settings.nodeId());
        d.put("manufacturer", "ChargeEdge");
        d.put("model", "Site controller");
        return d;
    }

    private void discoverSiteField(String field) {
        MeasurementKey key = SiteDocuments.STANDARD.stream().filter(k -> SiteDocuments.field(k).equals(field))
                .findFirst().orElse(null);
        Quantity q = key != null ? key.quantity() : quantityOf(field);
        if (q == null) {
            return;
        }
        ObjectNode cfg = sensor(field.replace('_', ' '), settings.nodeId() + "_" + field, bus.baseTopic() + "/site",
                "{{ value_json." + field + " }}", q);
        cfg.set("device", siteDevice());
        publishDiscovery("sensor", settings.nodeId(), field, cfg);
    }

    private static Quantity quantityOf(String field) {
        for (Quantity q : Quantity.values()) {
            String n = q == Quantity.STATE_OF_CHARGE ? "soc" : q.name().toLowerCase();
            if (field.endsWith("_" + n) || field.contains("_" + n + "_l")) {
                return q;
            }
        }
        return null;
    }

    private void discoverCharger(ChargerInfo c, CommandInput.Settings commandSettings) {
        String id = c.chargePointId();
        String node = settings.nodeId() + "_" + id.replaceAll("[^A-Za-z0-9_-]", "_");
        String state = bus.baseTopic() + "/charger/" + id;
        ObjectNode device = SiteDocuments.JSON.createObjectNode();
        device.putArray("identifiers").add(node);
        device.put("name", "Charger " + id);
        device.put("via_device", settings.nodeId());
        if (c.boot() != null) {
            device.put("manufacturer", c.boot().chargePointVendor());
            device.put("model", c.boot().chargePointModel());
            if (c.boot().firmwareVersion() != null) {
                device.put("sw_version", c.boot().firmwareVersion());
            }
        }
        ObjectNode status = sensor("Status", node + "_status", state, "{{ value_json.status }}", null);
        status.set("device", device);
        publishDiscovery("sensor", node, "status", status);
        ObjectNode power = sensor("Power", node + "_power", state, "{{ value_json.power }}", Quantity.POWER);
        power.set("device", device);
        publishDiscovery("sensor", node, "power", power);
        ObjectNode energy = sensor("Session energy", node + "_session_energy", state,
                "{{ value_json.session_energy }}", Quantity.ENERGY);
        energy.set("device", device);
        publishDiscovery("sensor", node, "session_energy", energy);
        ObjectNode connected = base("Connected", node + "_connected", state,
                "{{ 'ON' if value_json.connected else 'OFF' }}");
        connected.put("device_class", "connectivity");
        connected.set("device", device);
        publishDiscovery("binary_sensor", node, "connected", connected);
        String limitTopic = settings.discoveryPrefix() + "/number/" + node + "/current_limit/config";
        if (commandSettings == null) {
            bus.publish(limitTopic, new byte[0], 1, true); // an empty retained config removes the entity
            return;
        }
        ObjectNode limit = SiteDocuments.JSON.createObjectNode();
        limit.put("name", "Current limit");
        limit.put("unique_id", node + "_current_limit");
        limit.put("object_id", node + "_current_limit");
        limit.put("command_topic", state + "/set/current_limit");
        limit.put("min", commandSettings.minCurrent());
        limit.put("max", commandSettings.maxCurrent());
        limit.put("step", 1);
        limit.put("unit_of_measurement", "A");
        limit.put("device_class", "current");
        limit.put("mode", "box");
        limit.put("optimistic", true);
        limit.put("availability_topic", bus.baseTopic() + "/status");
        limit.set("device", device);
        publishDiscovery("number", node, "current_limit", limit);
    }

    private ObjectNode base(String name, String uniqueId, String stateTopic, String template) {
        ObjectNode cfg = SiteDocuments.JSON.createObjectNode();
        cfg.put("name", name);
        cfg.put("unique_id", uniqueId);
        cfg.put("object_id", uniqueId);
        cfg.put("state_topic", stateTopic);
        cfg.put("value_template", template);
        cfg.put("availability_topic", bus.baseTopic() + "/status");
        cfg.put("payload_available", "online");
        cfg.put("payload_not_available", "offline");
        return cfg;
    }

    private ObjectNode sensor(String name, String uniqueId, String stateTopic, String template, Quantity q) {
        ObjectNode cfg = base(name, uniqueId, stateTopic, template);
        if (q != null) {
            cfg.put("unit_of_measurement", q.unit());
            switch (q) {
                case POWER -> cfg.put("device_class", "power");
                case CURRENT -> cfg.put("device_class", "current");
                case VOLTAGE -> cfg.put("device_class", "voltage");
                case ENERGY -> cfg.put("device_class", "energy");
                case STATE_OF_CHARGE -> cfg.put("device_class", "battery");
            }
            cfg.put("state_class", q == Quantity.ENERGY ? "total_increasing" : "measurement");
        }
        return cfg;
    }

    private void publishDiscovery(String component, String node, String object, ObjectNode cfg) {
        String topic = settings.discoveryPrefix() + "/" + component + "/" + node + "/" + object + "/config";
        try {
            bus.publish(topic, SiteDocuments.JSON.writeValueAsBytes(cfg), 1, true);
        } catch (JsonProcessingException e) {
            LOG.error("MQTT: discovery {} not written", topic, e);
        }
    }

    private static String trimSlash(String s) {
        String t = s.strip();
        return t.endsWith("/") ? t.substring(0, t.length() - 1) : t;
    }
}
