package org.chargeedge.mqtt.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

import org.chargeedge.api.charger.ChargerCommands;
import org.chargeedge.ocpp.v16.ChargingProfile;
import org.chargeedge.ocpp.v16.ChargingProfileKindType;
import org.chargeedge.ocpp.v16.ChargingProfilePurposeType;
import org.chargeedge.ocpp.v16.ChargingRateUnitType;
import org.chargeedge.ocpp.v16.ChargingSchedule;
import org.chargeedge.ocpp.v16.ChargingSchedulePeriod;
import org.chargeedge.ocpp.v16.SetChargingProfileConfirmation;
import org.chargeedge.ocpp.v16.SetChargingProfileRequest;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Commands in over MQTT, off by default. The only topic accepted is
 * {@code BASE/charger/ID/set/current_limit} with a number of amperes: it
 * becomes a ChargePointMaxProfile on connector 0 (Absolute, rate unit A, one
 * period, profile id {@link #PROFILE_ID}). Chargers not on the allow-list,
 * retained messages, and payloads that are not a non-negative number are
 * rejected and logged; the limit is clamped to the configured bounds. The
 * outcome is published (not retained) on {@code .../set/current_limit/result}.
 */
@Component(service = CommandInput.class, configurationPid = CommandInput.PID, immediate = true)
@Designate(ocd = CommandConfig.class)
public class CommandInput {

    static final String PID = "org.chargeedge.mqtt.commands";
    /** Reserved for the MQTT current limit: setting it again replaces the gateway's earlier profile, nothing else. */
    static final int PROFILE_ID = 424201;
    private static final Logger LOG = LoggerFactory.getLogger(CommandInput.class);

    record Settings(boolean enabled, Set<String> chargePointIds, double minCurrent, double maxCurrent, int stackLevel) {
        boolean allowed(String id) {
            return chargePointIds.contains("*") || chargePointIds.contains(id);
        }
    }

    private final MqttBus bus;
    private final ChargerCommands commands;
    private final Settings settings;
    private final MqttBus.Handle handle;
    final LongAdder accepted = new LongAdder();
    final LongAdder rejected = new LongAdder();

    @Activate
    public CommandInput(CommandConfig c, @Reference MqttBus bus, @Reference ChargerCommands commands) {
        this(new Settings(c.enabled(), Arrays.stream(c.chargePointIds().split(",")).map(String::strip)
                .filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet()), c.minCurrent(), c.maxCurrent(),
                c.stackLevel()), bus, commands);
    }

    CommandInput(Settings settings, MqttBus bus, ChargerCommands commands) {
        this.bus = bus;
        this.commands = commands;
        this.settings = settings;
        if (!settings.enabled()) {
            handle = null;
            return;
        }
        if (settings.minCurrent() > settings.maxCurrent()) {
            LOG.error("MQTT commands: minCurrent {} > maxCurrent {}: commands stay off", settings.minCurrent(),
                    settings.maxCurrent());
            handle = null;
            return;
        }
        if (settings.chargePointIds().isEmpty()) {
            LOG.warn("MQTT commands enabled, but chargePointIds is empty: every command will be rejected");
        }
        handle = bus.subscribe(bus.baseTopic() + "/charger/+/set/current_limit", 1, this::onMessage);
        LOG.info("MQTT commands: accepting {}/charger/ID/set/current_limit for {}, clamped to [{}, {}] A",
                bus.baseTopic(), settings.chargePointIds(), settings.minCurrent(), settings.maxCurrent());
    }

    /** Whether a current limit for this charger would be accepted: for Home Assistant discovery. */
    boolean accepts(String chargePointId) {
        return handle != null && settings.allowed(chargePointId);
    }

    Settings settings() {
        return settings;
    }

    @Deactivate
    void stop() {
        if (handle != null) {
            handle.close();
        }
    }

    void onMessage(String topic, byte[] payload, boolean retained) {
        String prefix = bus.baseTopic() + "/charger/";
        String id = topic.substring(prefix.length(), topic.length() - "/set/current_limit".length());
        String text = new String(payload, StandardCharsets.UTF_8).strip();
        if (retained) {
            // a retained command would be applied again after every reconnect, long after anyone meant it
            reject(topic, id, text, "retained commands are not accepted");
            return;
        }
        if (!settings.allowed(id)) {
            reject(topic, id, text, "charger not in chargePointIds");
            return;
        }
        double requested;
        try {
            requested = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            reject(topic, id, text, "payload is not a number of amperes");
            return;
        }
        if (!Double.isFinite(requested) || requested < 0) {
            reject(topic, id, text, "limit must be a finite number >= 0");
            return;
        }
        double limit = Math.max(settings.minCurrent(), Math.min(settings.maxCurrent(), requested));
        limit = Math.round(limit * 10) / 10.0; // OCPP allows one decimal
        accepted.increment();
        LOG.info("MQTT command: current limit {} A for {} (requested {})", limit, id, text);
        SetChargingProfileRequest request = request(limit, settings.stackLevel());
        CompletionStage<SetChargingProfileConfirmation> answer;
        try {
            answer = commands.call(id, request);
        } catch (RuntimeException e) {
            result(topic, false, limit, null, e.toString());
            return;
        }
        double sent = limit;
        answer.whenComplete((conf, error) -> {
            if (error != null) {
                LOG.warn("MQTT command: current limit for {} failed: {}", id, error.toString());
                result(topic, false, sent, null, String.valueOf(error.getMessage()));
            } else {
                result(topic, true, sent, conf.status().value(), null);
            }
        });
    }

    static SetChargingProfileRequest request(double limit, int stackLevel) {
        return new SetChargingProfileRequest(0, new ChargingProfile(PROFILE_ID, null, stackLevel,
                ChargingProfilePurposeType.ChargePointMaxProfile, ChargingProfileKindType.Absolute, null, null, null,
                new ChargingSchedule(null, null, ChargingRateUnitType.A,
                        List.of(new ChargingSchedulePeriod(0, limit, null)), null)));
    }

    private void reject(String topic, String id, String payload, String why) {
        rejected.increment();
        LOG.warn("MQTT command on {} rejected: {} (payload '{}')", topic, why,
                payload.length() > 40 ? payload.substring(0, 40) + "..." : payload);
        result(topic, false, null, null, why);
    }

    private void result(String topic, boolean sent, Double limit, String status, String error) {
        ObjectNode r = SiteDocuments.JSON.createObjectNode();
        r.put("accepted", sent);
        if (limit != null) {
            r.put("limit", limit);
        }
        if (status != null) {
            r.put("status", status);
        }
        if (error != null) {
            r.put("error", error);
        }
        bus.publish(topic + "/result", r.toString().getBytes(StandardCharsets.UTF_8), 0, false);
    }
}
