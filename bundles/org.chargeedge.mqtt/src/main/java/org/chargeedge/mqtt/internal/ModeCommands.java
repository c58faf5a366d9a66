package org.chargeedge.mqtt.internal;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

import org.chargeedge.api.balancer.BalancerModes;
import org.chargeedge.api.balancer.ChargingMode;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Charging modes set over MQTT, under the same switch and allow-list as the other commands
 * ({@code org.chargeedge.mqtt.commands}: off by default): {@code BASE/charger/ID/CONNECTOR/set/mode} sets the
 * mode of the session on that connector (or of the next one), {@code BASE/charger/ID/set/mode} the charger's
 * default ({@code Default} gives it its configured one again); the payload is the mode's name (Fast, PV, MinPV,
 * Off), or for a Scheduled session a JSON object
 * {@code {"mode":"Scheduled","departure":"2026-05-01T07:30:00Z","energy_kwh":20}}. Retained messages, chargers not allowed, unknown
 * modes and connectors, and what the balancer refuses are logged and answered on {@code .../set/mode/result}
 * (not retained), as are the modes taken. Active only while a balancer runs.
 *
 * <p>Threads: messages arrive on Paho's callback thread, which only parses them and hands them to the balancer
 * (whose answer completes on its own thread and is published from there); no state of its own but the settings.
 */
@Component(service = ModeCommands.class, configurationPid = CommandInput.PID, immediate = true)
public class ModeCommands {

    private static final Logger LOG = LoggerFactory.getLogger(ModeCommands.class);
    private static final String SUFFIX = "/set/mode";

    private final MqttBus bus;
    private final BalancerModes modes;
    private final boolean enabled;
    private final Set<String> allowed;
    private final MqttBus.Handle[] handles;

    @Activate
    public ModeCommands(CommandConfig c, @Reference MqttBus bus, @Reference BalancerModes modes) {
        this(c.enabled(), Arrays.stream(c.chargePointIds().split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet()), bus, modes);
    }

    ModeCommands(boolean enabled, Set<String> allowed, MqttBus bus, BalancerModes modes) {
        this.bus = bus;
        this.modes = modes;
        this.enabled = enabled;
        this.allowed = allowed;
        if (!enabled) {
            handles = new MqttBus.Handle[0];
            return;
        }
        String base = bus.baseTopic() + "/charger/+";
        handles = new MqttBus.Handle[] {bus.subscribe(base + SUFFIX, 1, this::onMessage),
                bus.subscribe(base + "/+" + SUFFIX, 1, this::onMessage)};
        LOG.info("MQTT commands: accepting {}/charger/ID[/CONNECTOR]{} for {}", bus.baseTopic(), SUFFIX, allowed);
    }

    @Deactivate
    void stop() {
        for (MqttBus.Handle h : handles) {
            h.close();
        }
    }

    void onMessage(String topic, byte[] payload, boolean retained) {
        String[] target = topic.substring(bus.baseTopic().length() + "/charger/".length(),
                topic.length() - SUFFIX.length()).split("/");
        String charger = target[0];
        String text = new String(payload, StandardCharsets.UTF_8).strip();
        if (retained) {
            // a retained mode would be set again after every reconnect, long after anyone meant it
            refuse(topic, text, "retained commands are not accepted");
            return;
        }
        if (!allowed.contains("*") && !allowed.contains(charger)) {
            refuse(topic, text, "charger not in chargePointIds");
            return;
        }
        if (target.length == 1 && text.equalsIgnoreCase("Default")) {
            answer(topic, text, null, modes.clearChargerDefault(charger));
            return;
        }
        ChargingMode mode;
        BalancerModes.Target goal = null;
        try {
            if (text.startsWith("{")) {
                JsonNode doc = SiteDocuments.JSON.readTree(text);
                mode = ChargingMode.parse(doc.path("mode").asText(""));
                goal = target(doc);
            } else {
                mode = ChargingMode.parse(text);
            }
        } catch (IllegalArgumentException | JsonProcessingException e) {
            refuse(topic, text, e instanceof JsonProcessingException ? "payload is not a mode or a JSON object"
                    : e.getMessage());
            return;
        }
        if (goal != null && target.length != 2) {
            refuse(topic, text, "a departure time and an energy target are for a session: "
                    + "charger/ID/CONNECTOR/set/mode");
            return;
        }
        CompletionStage<String> done;
        if (target.length == 2) {
            int connector;
            try {
                connector = Integer.parseInt(target[1]);
            } catch (NumberFormatException e) {
                refuse(topic, text, "the connector must be a number, not '" + target[1] + "'");
                return;
            }
            done = modes.setSessionMode(charger, connector, mode, goal);
        } else {
            done = modes.setChargerDefault(charger, mode);
        }
        answer(topic, text, mode.label(), done);
    }

    /** Publishes the balancer's answer (from its thread) as the result. */
    private void answer(String topic, String text, String mode, CompletionStage<String> done) {
        done.whenComplete((message, error) -> {
            if (error != null) {
                Throwable cause = error.getCause() != null && error instanceof java.util.concurrent.CompletionException
                        ? error.getCause() : error;
                refuse(topic, text, String.valueOf(cause.getMessage()));
            } else {
                LOG.info("MQTT command: {}", message.strip());
                result(topic, true, mode, message.strip());
            }
        });
    }

    /** {@code departure} (a UTC time) and {@code energy_kwh} of a Scheduled session, both or neither. */
    private static BalancerModes.Target target(JsonNode doc) {
        if (!doc.has("departure") && !doc.has("energy_kwh")) {
            return null;
        }
        if (!doc.path("energy_kwh").isNumber() || !doc.path("departure").isTextual()) {
            throw new IllegalArgumentException("'departure' (a UTC time) and 'energy_kwh' (a number) go together");
        }
        try {
            return new BalancerModes.Target(Instant.parse(doc.get("departure").asText()),
                    doc.get("energy_kwh").doubleValue() * 1000);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'departure' must be a UTC time like 2026-05-01T07:30:00Z");
        }
    }

    private void refuse(String topic, String payload, String why) {
        LOG.warn("MQTT command on {} refused: {} (payload '{}')", topic, why,
                payload.length() > 40 ? payload.substring(0, 40) + "..." : payload);
        result(topic, false, null, why);
    }

    private void result(String topic, boolean accepted, String mode, String text) {
        ObjectNode r = SiteDocuments.JSON.createObjectNode();
        r.put("accepted", accepted);
        if (mode != null) {
            r.put("mode", mode);
        }
        r.put(accepted ? "message" : "error", text);
        bus.publish(topic + "/result", r.toString().getBytes(StandardCharsets.UTF_8), 0, false);
    }

    boolean enabled() {
        return enabled;
    }
}
