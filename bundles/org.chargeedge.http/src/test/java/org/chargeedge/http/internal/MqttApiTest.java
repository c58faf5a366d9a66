package org.chargeedge.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.chargeedge.api.mqtt.MqttStatus;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code GET /api/mqtt} over the real API: the MQTT bundle over a real broker
 * (Moquette in the test JVM), every field of its status as JSON and its
 * figures at {@code /metrics}, the roles, and a gateway without the MQTT bundle.
 */
class MqttApiTest extends RealSiteTestBase {

    @Test
    void aViewerReadsTheConnectionAndEachInputWithItsAge() throws Exception {
        Instant last = Instant.now().minusSeconds(95);
        MqttStatus.Input fresh = new MqttStatus.Input("grid.cfg", null, List.of("shellies/em/emeter/+/power"), 42,
                Instant.now().minusSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(30), false, List.of(), "");
        MqttStatus.Input stale = new MqttStatus.Input("pv.cfg", null, List.of("solar/ac/power"), 7, last,
                Duration.ofSeconds(95), Duration.ofSeconds(30), true, List.of("pv/POWER (stale)"), "");
        MqttStatus.Input broken = new MqttStatus.Input("battery.cfg", "this preset needs device", List.of(), 0, null,
                null, Duration.ZERO, true, List.of(), "");
        MqttStatus.Connection down = new MqttStatus.Connection("tcp://broker.local:1883", false, null, 3,
                "Unable to connect to server (32103): java.net.ConnectException: Connection refused",
                Instant.now(), 49, 10, 2, List.of("solar/ac/power"), List.of(broken, fresh, stale));
        site.mqtt = () -> down;

        HttpResponse<String> r = api.send(api.get("/api/mqtt", viewer));
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode m = Json.MAPPER.readTree(r.body());
        assertThat(m.get("configured").asBoolean()).isTrue();
        assertThat(m.get("brokerUrl").asText()).isEqualTo("tcp://broker.local:1883");
        assertThat(m.get("connected").asBoolean()).isFalse();
        assertThat(m.get("failedAttempts").asInt()).isEqualTo(3);
        assertThat(m.get("lastError").asText()).contains("Connection refused");
        assertThat(m.get("inputs")).hasSize(3);
        JsonNode pv = m.get("inputs").get(2);
        assertThat(pv.get("name").asText()).isEqualTo("pv.cfg");
        assertThat(pv.get("stale").asBoolean()).isTrue();
        assertThat(pv.get("lastMessageAgeSeconds").asLong()).isEqualTo(95);
        assertThat(pv.get("staleAfterSeconds").asLong()).isEqualTo(30);
        assertThat(pv.get("lastMessageAt").asText()).isEqualTo(last.toString());
        assertThat(pv.get("unknownValues").get(0).asText()).isEqualTo("pv/POWER (stale)");
        assertThat(m.get("inputs").get(0).get("problem").asText()).isEqualTo("this preset needs device");
        assertThat(m.get("inputs").get(0).has("lastMessageAgeSeconds")).isFalse();
        assertThat(m.get("inputs").get(1).get("stale").asBoolean()).isFalse();

        assertThat(api.send(api.get("/metrics", viewer)).body()).contains("chargeedge_mqtt_connected 0.0")
                .contains("chargeedge_mqtt_input_stale{input=\"battery.cfg\"} 1.0")
                .contains("chargeedge_mqtt_input_stale{input=\"grid.cfg\"} 0.0")
                .contains("chargeedge_mqtt_input_stale{input=\"pv.cfg\"} 1.0");

        site.mqtt = () -> new MqttStatus.Connection(null, false, null, 0, null, null, 0, 0, 0, List.of(), List.of());
        JsonNode none = Json.MAPPER.readTree(api.send(api.get("/api/mqtt", viewer)).body());
        assertThat(none.get("configured").asBoolean()).isFalse();
        assertThat(none.has("brokerUrl")).isFalse();
        // a site without a broker has no MQTT metrics: nothing to alert on
        assertThat(api.send(api.get("/metrics", viewer)).body()).doesNotContain("chargeedge_mqtt");
    }

    @Test
    void theMqttBundleOverARealBrokerIsServedAsItSeesIt() throws Exception {
        try (org.chargeedge.mqtt.internal.MqttTestSite mqtt = new org.chargeedge.mqtt.internal.MqttTestSite(
                "pv.cfg", "opendtu")) {
            site.mqtt = mqtt.status();
            JsonNode silent = Json.MAPPER.readTree(api.send(api.get("/api/mqtt", viewer)).body());
            assertThat(silent.get("brokerUrl").asText()).isEqualTo(mqtt.brokerUrl());
            assertThat(silent.get("connected").asBoolean()).isTrue();
            assertThat(silent.get("inputs").get(0).get("stale").asBoolean()).isTrue();
            assertThat(silent.get("inputs").get(0).has("lastMessageAt")).isFalse();

            mqtt.publish("solar/ac/power", "640.5");
            JsonNode fed = Json.MAPPER.readTree(api.send(api.get("/api/mqtt", viewer)).body());
            JsonNode pv = fed.get("inputs").get(0);
            assertThat(pv.get("messages").asLong()).isEqualTo(1);
            assertThat(pv.get("stale").asBoolean()).isFalse();
            assertThat(pv.get("lastMessageAgeSeconds").asLong()).isLessThan(10);
            assertThat(pv.get("staleAfterSeconds").asLong()).isEqualTo(30);
            String metrics = api.send(api.get("/metrics", viewer)).body();
            assertThat(metrics).contains("chargeedge_mqtt_connected 1.0")
                    .contains("chargeedge_mqtt_input_stale{input=\"pv.cfg\"} 0.0")
                    .containsPattern("chargeedge_mqtt_messages_received_total [1-9]");

            mqtt.stopBroker();
            JsonNode down = Json.MAPPER.readTree(api.send(api.get("/api/mqtt", viewer)).body());
            assertThat(down.get("connected").asBoolean()).isFalse();
            assertThat(down.has("since")).isFalse();
            assertThat(down.get("lastError").asText()).isNotBlank();
            assertThat(api.send(api.get("/metrics", viewer)).body()).contains("chargeedge_mqtt_connected 0.0");
        }
    }

    @Test
    void withoutTheMqttBundleItSaysSoAndStrangersGetNothing() throws Exception {
        HttpResponse<String> missing = api.send(api.get("/api/mqtt", viewer));
        assertThat(missing.statusCode()).isEqualTo(503);
        assertThat(missing.body()).contains("the MQTT bundle is not running");

        site.mqtt = () -> new MqttStatus.Connection("tcp://broker.local:1883", true, Instant.now(), 0, null, null,
                0, 0, 0, List.of(), List.of());
        assertThat(api.send(api.get("/api/mqtt", null)).statusCode()).isEqualTo(401);
        assertThat(api.send(api.get("/api/mqtt", "ce_nope_nope")).statusCode()).isEqualTo(401);
        assertThat(api.send(api.post("/api/mqtt", viewer, "{}")).statusCode()).isEqualTo(403);
    }
}
