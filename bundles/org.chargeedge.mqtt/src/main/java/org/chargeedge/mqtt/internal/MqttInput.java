package org.chargeedge.mqtt.internal;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.chargeedge.api.energy.MeasurementSink;
import org.chargeedge.api.energy.Meter;
import org.chargeedge.api.energy.Quantity;
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
    private final Presets.Plan plan;
    private final Duration reactionTime;

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
        Duration reaction;
        try {
            InputSettings s = settings.get();
            preset = s.preset();
            plan = Presets.build(s);
            reaction = s.reactionTime();
        } catch (IllegalArgumentException e) {
            // a bad configuration must not take anything else down: say what is wrong and stay idle
            LOG.error("MQTT input {}: {}", name, e.getMessage());
            this.error = e.getMessage();
            this.engine = null;
            this.plan = null;
            this.reactionTime = null;
            return;
        }
        this.error = null;
        this.plan = plan;
        this.reactionTime = reaction;
        this.engine = new MappingEngine(name, plan.mappings(), plan.gates(), sink, Clock.systemDefaultZone());
        if (readsGrid()) {
            engine.watchGrid(reaction, plan.advice());
        }
        for (String filter : engine.filters()) {
            handles.add(bus.subscribe(filter, qos, engine::onMessage));
        }
        if (plan.keepaliveTopic() != null) {
            // the first keepalive of a connection asks for every topic, the next ones only keep it publishing
            handles.add(bus.onConnected(() -> bus.publish(plan.keepaliveTopic(),
                    plan.keepaliveFirst().getBytes(StandardCharsets.UTF_8), 0, false)));
            handles.add(bus.every(plan.keepaliveEvery(), () -> bus.publish(plan.keepaliveTopic(),
                    plan.keepaliveNext().getBytes(StandardCharsets.UTF_8), 0, false)));
        }
        LOG.info("MQTT input {}: preset {}, {} values from {}", name, preset, engine.keys().size(),
                engine.filters());
        String warning = gridWarning();
        if (!warning.isEmpty()) {
            LOG.warn("MQTT input {}: {}", name, warning);
        }
    }

    private boolean readsGrid() {
        return engine.keys().stream().anyMatch(k -> k.meter().equals(Meter.GRID) && k.quantity() == Quantity.POWER);
    }

    /**
     * Empty, or why this input's grid power is too slow for the load balancer
     * and what to set on the device: from the measured interval, or before two
     * readings came, from the device's default interval.
     */
    String gridWarning() {
        if (engine == null || !readsGrid()) {
            return "";
        }
        Duration seen = engine.gridInterval();
        if (seen != null) {
            return seen.compareTo(reactionTime) > 0 ? "grid power arrives every " + seen.toSeconds()
                    + " s, too slowly for the load balancer to react within " + reactionTime.toSeconds() + " s: "
                    + plan.advice() : "";
        }
        Duration dflt = plan.defaultInterval();
        return dflt != null && dflt.compareTo(reactionTime) > 0 ? "at its defaults the device reports grid power "
                + "every " + dflt.toSeconds() + " s, too slowly for the load balancer to react within "
                + reactionTime.toSeconds() + " s: " + plan.advice() : "";
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

    /** Why this input does not run (its configuration is wrong), or null when it runs. */
    String problem() {
        return error;
    }

    /** One line for the shell. */
    String describe() {
        if (engine == null) {
            return name + ": not running: " + error;
        }
        String invalid = engine.lastInvalid();
        String badTime = engine.lastBadTime();
        StringBuilder notes = new StringBuilder();
        Duration skew = engine.lastSkew();
        if (skew != null) {
            notes.append("\n    device clock ").append(MappingEngine.describeSkew(skew))
                    .append(" (not trusted: values count from their arrival)");
        }
        if (engine.replayed.sum() > 0) {
            notes.append("\n    ").append(engine.replayed.sum())
                    .append(" retained values of unknown age (unknown until the device publishes again)");
        }
        if (!engine.invalidKeys().isEmpty()) {
            notes.append("\n    invalid by the device's flag: ").append(engine.invalidKeys());
        }
        String warning = gridWarning();
        if (!warning.isEmpty()) {
            notes.append("\n    WARNING ").append(warning);
        }
        List<String> lines = new ArrayList<>(engine.mappings().stream().map(Mapping::toString).toList());
        engine.gates().forEach(g -> lines.add(g.toString()));
        return String.format("%s: %d messages, %d values, %d unknown, %d invalid%s, %d unreadable times%s%s%n    %s",
                name, engine.messages.sum(), engine.values.sum(), engine.unknown.sum(), engine.invalid.sum(),
                invalid.isEmpty() ? "" : " (last: " + invalid + ")", engine.badTime.sum(),
                badTime.isEmpty() ? "" : " (last: " + badTime + ")", notes,
                String.join("\n    ", lines));
    }

    MappingEngine engine() {
        return engine;
    }
}
