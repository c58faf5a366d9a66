package org.chargeedge.mqtt.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import org.chargeedge.api.balancer.BalancerStatus;
import org.chargeedge.api.balancer.ChargingMode;
import org.chargeedge.balancer.internal.TestBalancer;
import org.chargeedge.centralsystem.internal.CentralSystemHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The balancer's state out and its mode commands in, over a real broker, with the real balancer over the real
 * central system and simulated chargers on WebSockets. No energy model: the safe budget holds (40 A grid limit,
 * 20 A safe budget, so 20 A for the chargers).
 */
class BalancerOverMqttTest {

    @TempDir
    Path dir;
    private EmbeddedBroker broker;
    private BrokerConnection connection;
    private CentralSystemHarness centralSystem;
    private TestBalancer balancer;
    private BalancerStatePublisher publisher;
    private ModeCommands commands;

    @BeforeEach
    void start() throws Exception {
        broker = new EmbeddedBroker();
        connection = new BrokerConnection(PresetsOverBrokerTest.settings(broker, "depot"));
        Await.until("connected", connection::connected);
        centralSystem = new CentralSystemHarness(dir);
        balancer = new TestBalancer(centralSystem.siteView(), centralSystem.commands(), Map.of("gridLimitA", 40.0,
                "safeBudgetA", 20.0, "siteConnectors", 2, "minIntervalMillis", 50));
        publisher = new BalancerStatePublisher(true, Duration.ofMillis(200), 1, connection, balancer.service);
        commands = new ModeCommands(true, Set.of("CP-1"), connection, balancer.service);
        balancer.connectCharger(centralSystem.url("CP-1"), "CP-1");
        balancer.connectCharger(centralSystem.url("CP-2"), "CP-2");
        Thread.sleep(200); // SUBACK
    }

    @AfterEach
    void stop() throws Exception {
        commands.stop();
        publisher.stop();
        balancer.close();
        centralSystem.close();
        connection.stop();
        broker.close();
    }

    @Test
    void theSiteAndEachConnectorArePublishedRetainedAndOnlyWhenTheyChange() throws Exception {
        try (TestClient app = new TestClient(broker).subscribe("depot/balancer/#", 1)) {
            JsonNode site = until(app, "depot/balancer/site", d -> d.get("safe_budget_in_use").asBoolean());
            assertThat(site.get("grid_limit_a").asDouble()).isEqualTo(40.0);
            assertThat(site.get("grid_limit_default").asBoolean()).isFalse();
            assertThat(site.get("budget").asText()).startsWith("safe budget");
            assertThat(site.get("available_a").get("l1").asDouble()).isEqualTo(20.0);
            JsonNode idle = until(app, "depot/balancer/CP-1/1", d -> d.get("reason_kind").asText().equals("IDLE"));
            assertThat(idle.get("mode").asText()).isEqualTo("Fast");
            assertThat(idle.has("transaction_id")).isFalse();

            int tx = balancer.startSession("CP-1");
            JsonNode charging = until(app, "depot/balancer/CP-1/1", d -> d.get("limit_a").asDouble() == 20.0);
            assertThat(charging.get("transaction_id").asInt()).isEqualTo(tx);
            assertThat(charging.get("control").asText()).isEqualTo("FOLLOWS");
            assertThat(charging.get("obeys").asBoolean()).isTrue();
            // nothing changes: nothing more is published, although the balancer runs every second
            assertThat(app.next("depot/balancer/CP-1/1", 1500)).isNull();
        }
        // a client that comes later gets the state at once, although nothing changed: it is retained (Moquette 0.17
        // clears the retain flag on delivery, so the flag itself cannot be checked here)
        try (TestClient late = new TestClient(broker).subscribe("depot/balancer/+", 1)) {
            assertThat(late.next("depot/balancer/site", 3000)).isNotNull();
        }
    }

    @Test
    void modesAreSetByTopicAndRefusalsAreAnsweredAndLogged() throws Exception {
        try (TestClient results = new TestClient(broker).subscribe("depot/charger/#", 0);
             TestClient state = new TestClient(broker).subscribe("depot/balancer/CP-1/1", 1)) {
            results.publish("depot/charger/CP-1/1/set/mode", "pv");
            JsonNode ok = result(results, "depot/charger/CP-1/1/set/mode/result");
            assertThat(ok.get("accepted").asBoolean()).isTrue();
            assertThat(ok.get("mode").asText()).isEqualTo("PV");
            assertThat(ok.get("message").asText()).isEqualTo("CP-1/1: PV for the next session");
            until(state, "depot/balancer/CP-1/1", d -> d.get("mode").asText().equals("PV")
                    && d.get("mode_origin").asText().equals("SESSION"));

            String leaves = java.time.Instant.now().plusSeconds(36_000)
                    .truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
            results.publish("depot/charger/CP-1/1/set/mode", "{\"mode\":\"Scheduled\",\"departure\":\"" + leaves
                    + "\",\"energy_kwh\":20}");
            assertThat(result(results, "depot/charger/CP-1/1/set/mode/result").get("message").asText())
                    .isEqualTo("CP-1/1: Scheduled, 20.0 kWh by " + leaves + " for the next session");
            refused(results, "depot/charger/CP-1/1/set/mode", "{\"mode\":\"Scheduled\",\"energy_kwh\":20}",
                    "'departure' (a UTC time) and 'energy_kwh' (a number) go together");
            refused(results, "depot/charger/CP-1/1/set/mode", "{\"mode\":", "payload is not a mode or a JSON object");
            results.publish("depot/charger/CP-1/1/set/mode", "pv");
            assertThat(result(results, "depot/charger/CP-1/1/set/mode/result").get("accepted").asBoolean()).isTrue();

            results.publish("depot/charger/CP-1/set/mode", "Off");
            assertThat(result(results, "depot/charger/CP-1/set/mode/result").get("message").asText())
                    .startsWith("CP-1: Off by default");
            results.publish("depot/charger/CP-1/set/mode", "default");
            assertThat(result(results, "depot/charger/CP-1/set/mode/result").get("message").asText())
                    .isEqualTo("CP-1: Fast by default again, as configured");

            refused(results, "depot/charger/CP-1/1/set/mode", "turbo",
                    "unknown mode 'turbo' (Fast, PV, MinPV, Scheduled or Off)");
            refused(results, "depot/charger/CP-1/7/set/mode", "Fast", "CP-1 has no connector 7 (it has [1])");
            refused(results, "depot/charger/CP-1/x/set/mode", "Fast", "the connector must be a number, not 'x'");
            refused(results, "depot/charger/CP-2/1/set/mode", "Fast", "charger not in chargePointIds");
            refused(results, "depot/charger/CP-1/1/set/mode", "Scheduled", null);
            // Moquette 0.17 clears the retain flag on delivery, so the flag is handed in as Paho would report it
            commands.onMessage("depot/charger/CP-1/1/set/mode", TestClient.bytes("Fast"), true);
            JsonNode retained = result(results, "depot/charger/CP-1/1/set/mode/result");
            assertThat(retained.get("error").asText()).isEqualTo("retained commands are not accepted");
            // none of the refused ones was taken
            assertThat(balancer.service.connector("CP-1", 1).orElseThrow().mode().label()).isEqualTo("PV");
        }
    }

    @Test
    void aScheduledSessionsDepartureEnergyStillNeededAndTargetArePublished() throws Exception {
        try (TestClient results = new TestClient(broker).subscribe("depot/charger/#", 0);
             TestClient state = new TestClient(broker).subscribe("depot/balancer/CP-1/1", 1)) {
            int tx = balancer.startSession("CP-1");
            until(state, "depot/balancer/CP-1/1", d -> d.path("transaction_id").asInt() == tx);
            String leaves = Instant.now().plusSeconds(36_000).truncatedTo(ChronoUnit.SECONDS).toString();
            results.publish("depot/charger/CP-1/1/set/mode", "{\"mode\":\"Scheduled\",\"departure\":\"" + leaves
                    + "\",\"energy_kwh\":20}");
            assertThat(result(results, "depot/charger/CP-1/1/set/mode/result").get("message").asText())
                    .isEqualTo("CP-1/1: Scheduled, 20.0 kWh by " + leaves + " for transaction " + tx);
            JsonNode scheduled = until(state, "depot/balancer/CP-1/1", d -> d.has("energy_target_kwh"));
            assertThat(scheduled.get("mode").asText()).isEqualTo("Scheduled");
            assertThat(scheduled.get("departure").asText()).isEqualTo(leaves);
            // the simulated charger reports no register: nothing counted yet
            assertThat(scheduled.get("energy_needed_kwh").asDouble()).isEqualTo(20.0);
            assertThat(scheduled.get("energy_target_kwh").asDouble()).isEqualTo(20.0);
        }
        // once the session has charged, what is still needed and the target differ: each has its field
        ObjectNode d = BalancerStatePublisher.connector(new BalancerStatus.Connector("CP-1", 1, 17, 0,
                BalancerStatus.ReasonKind.SCHEDULED_WAITING, "scheduled: energy target reached", null,
                ChargingMode.SCHEDULED, BalancerStatus.ModeOrigin.SESSION, 0, BalancerStatus.Control.FOLLOWS,
                Instant.parse("2026-05-01T05:30:00Z"), 10_000.0, null, 12_500.0));
        assertThat(d.get("energy_needed_kwh").asDouble()).isEqualTo(10.0);
        assertThat(d.get("energy_target_kwh").asDouble()).isEqualTo(12.5);
    }

    @Test
    void withCommandsOffNothingIsSubscribed() throws Exception {
        commands.stop();
        commands = new ModeCommands(false, Set.of("*"), connection, balancer.service);
        try (TestClient results = new TestClient(broker).subscribe("depot/charger/#", 0)) {
            results.publish("depot/charger/CP-1/1/set/mode", "Off");
            assertThat(results.next("depot/charger/CP-1/1/set/mode/result", 1000)).isNull();
            assertThat(balancer.service.connector("CP-1", 1).orElseThrow().mode().label()).isEqualTo("Fast");
        }
    }

    private void refused(TestClient client, String topic, String payload, String error) throws Exception {
        client.publish(topic, payload);
        JsonNode r = result(client, topic + "/result");
        assertThat(r.get("accepted").asBoolean()).as(topic + " " + payload).isFalse();
        if (error != null) {
            assertThat(r.get("error").asText()).isEqualTo(error);
        } else {
            assertThat(r.get("error").asText()).isNotBlank();
        }
    }

    private static JsonNode result(TestClient client, String topic) throws Exception {
        TestClient.Received r = client.next(topic, 5000);
        assertThat(r).as("a result on " + topic).isNotNull();
        assertThat(r.retained()).isFalse();
        return SiteDocuments.JSON.readTree(r.payload());
    }

    /** The first document on {@code topic} that satisfies {@code condition}, within 5 s. */
    private static JsonNode until(TestClient client, String topic, Predicate<JsonNode> condition) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < end) {
            TestClient.Received r = client.next(topic, Math.max(1, (end - System.nanoTime()) / 1_000_000));
            if (r != null && !r.payload().isEmpty()) {
                last = SiteDocuments.JSON.readTree(r.payload());
                if (condition.test(last)) {
                    return last;
                }
            }
        }
        throw new AssertionError("no document on " + topic + " as expected; the last: " + last);
    }
}
