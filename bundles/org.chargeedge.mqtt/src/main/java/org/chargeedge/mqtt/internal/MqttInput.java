package org.chargeedge.mqtt.internal;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.chargeedge.api.energy.MeasurementSink;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One device's measurements from MQTT into the energy model: a preset or
 * hand-written mappings, a {@link MappingEngine} behind the bus's
 * subscriptions, and for Victron the keepalive Venus OS needs. When it goes
 * away (configuration deleted, bundle updated) its values become unknown at
 * once rather than when they time out.
 */
@Component(service = MqttInput.class, configurationPid = MqttInput.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true)
@Designate(ocd = InputConfig.class, factory = true)
public class MqttInput {

    static final String PID = "org.chargeedge.mqtt.input";
    private static final Logger LOG = LoggerFactory.getLogger(MqttInput.class);

    private final String name;
    private final MappingEngine engine;
    private final List<MqttBus.Handle> handles = new ArrayList<>();
    private final String error;

    /** Properties as configured; {@link InputConfig} only describes them (metatype). */
    @Activate
    public MqttInput(Map<String, Object> properties, @Reference MqttBus bus, @Reference MeasurementSink sink) {
        this(name(properties), () -> InputSettings.from(name(properties), properties), qos(properties), bus, sink);
    }

    MqttInput(InputSettings settings, int qos, MqttBus bus, MeasurementSink sink) {
        this(settings.name(), () -> settings, qos, bus, sink);
    }

    private MqttInput(String name, Supplier<InputSettings> settings, int qos, MqttBus bus, MeasurementSink sink) {
        this.name = name;
        Presets.Plan plan;
        String preset;
        try {
            InputSettings s = settings.get();
            preset = s.preset();
            plan = Presets.build(s);
        } catch (IllegalArgumentException e) {
            // a bad configuration must not take anything else down: say what is wrong and stay idle
            LOG.error("MQTT input {}: {}", name, e.getMessage());
            this.error = e.getMessage();
            this.engine = null;
            return;
        }
        this.error = null;
        this.engine = new MappingEngine(name, plan.mappings(), sink, Clock.systemDefaultZone());
        for (String filter : engine.filters()) {
            handles.add(bus.subscribe(filter, qos, (topic, payload, retained) -> engine.onMessage(topic, payload)));
        }
        if (plan.keepaliveTopic() != null) {
            Runnable keepalive = () -> bus.publish(plan.keepaliveTopic(), new byte[0], 0, false);
            handles.add(bus.onConnected(keepalive));
            handles.add(bus.every(plan.keepaliveEvery(), keepalive));
        }
        LOG.info("MQTT input {}: preset {}, {} values from {}", name, preset, engine.keys().size(),
                engine.filters());
    }

    static String name(Map<String, Object> properties) {
        String name = String.valueOf(properties.getOrDefault("felix.fileinstall.filename",
                properties.getOrDefault("service.pid", "?")));
        int slash = name.lastIndexOf('/');
        return slash >= 0 ? name.substring(slash + 1) : name;
    }

    private static int qos(Map<String, Object> properties) {
        try {
            return Integer.parseInt(String.valueOf(properties.getOrDefault("qos", "0")).strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Deactivate
    void stop() {
        handles.forEach(MqttBus.Handle::close);
        if (engine != null) {
            engine.forgetAll();
        }
    }

    String name() {
        return name;
    }

    /** One line for the shell. */
    String describe() {
        if (engine == null) {
            return name + ": not running: " + error;
        }
        String invalid = engine.lastInvalid();
        String badTime = engine.lastBadTime();
        return String.format("%s: %d messages, %d values, %d unknown, %d invalid%s, %d unreadable times%s%n    %s",
                name, engine.messages.sum(), engine.values.sum(), engine.unknown.sum(), engine.invalid.sum(),
                invalid.isEmpty() ? "" : " (last: " + invalid + ")", engine.badTime.sum(),
                badTime.isEmpty() ? "" : " (last: " + badTime + ")",
                String.join("\n    ", engine.mappings().stream().map(Mapping::toString).toList()));
    }

    MappingEngine engine() {
        return engine;
    }
}
