package org.chargeedge.mqtt.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.chargeedge.api.charger.ChargerInfo;
import org.chargeedge.api.charger.ConnectorInfo;
import org.chargeedge.api.charger.TransactionInfo;
import org.chargeedge.api.energy.Measurement;
import org.chargeedge.api.energy.MeasurementKey;
import org.chargeedge.api.energy.Meter;
import org.chargeedge.api.energy.Quantity;
import org.chargeedge.energy.internal.SiteEnergyComponent;
import org.chargeedge.ocpp.v16.BootNotificationRequest;
import org.chargeedge.ocpp.v16.ChargePointErrorCode;
import org.chargeedge.ocpp.v16.ChargePointStatus;
import org.chargeedge.ocpp.v16.Measurand;
import org.chargeedge.ocpp.v16.MeterValue;
import org.chargeedge.ocpp.v16.Phase;
import org.chargeedge.ocpp.v16.SampledValue;
import org.chargeedge.ocpp.v16.UnitOfMeasure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

class StatePublisherTest {

    private EmbeddedBroker broker;
    private BrokerConnection connection;
    private StatePublisher publisher;
    private final SiteEnergyComponent model = new SiteEnergyComponent();
    private final List<ChargerInfo> chargers = new CopyOnWriteArrayList<>();
    private volatile CommandInput commands;

    @BeforeEach
    void start() throws Exception {
        broker = new EmbeddedBroker();
        connection = new BrokerConnection(PresetsOverBrokerTest.settings(broker, "depot"));
    }

    @AfterEach
    void stop() {
        if (publisher != null) {
            publisher.stop();
        }
        connection.stop();
        broker.close();
    }

    private void publisher(boolean homeAssistant) {
        publisher = new StatePublisher(new StatePublisher.Settings(true, Duration.ofMillis(50), Duration.ofMinutes(5),
                1, homeAssistant, "homeassistant", "depot"), connection, model::snapshot, () -> chargers, () -> commands);
    }

    private static JsonNode json(TestClient.Received r) throws Exception {
        return SiteDocuments.JSON.readTree(r.payload());
    }

    static ChargerInfo charging(String id) {
        MeterValue mv = new MeterValue(Instant.parse("2026-06-01T12:00:00Z"), List.of(
                SampledValue.of("12.345", Measurand.EnergyActiveImportRegister, UnitOfMeasure.kWh),
                new SampledValue("2300", null, null, Measurand.PowerActiveImport, Phase.L1, null, UnitOfMeasure.W),
                new SampledValue("2300", null, null, Measurand.PowerActiveImport, Phase.L2, null, UnitOfMeasure.W),
                new SampledValue("2400", null, null, Measurand.PowerActiveImport, Phase.L3, null, UnitOfMeasure.W),
                new SampledValue("80", null, null, Measurand.SoC, null, org.chargeedge.ocpp.v16.Location.EV,
                        UnitOfMeasure.Percent)));
        ConnectorInfo k1 = new ConnectorInfo(1, ChargePointStatus.Charging, ChargePointErrorCode.NoError, null, null,
                Instant.now(), mv);
        ConnectorInfo k0 = new ConnectorInfo(0, ChargePointStatus.Available, ChargePointErrorCode.NoError, null, null,
                Instant.now(), null);
        TransactionInfo t = new TransactionInfo(17, 1, "TAG", 10_000, Instant.now(), mv);
        return new ChargerInfo(id, true, Instant.now(), null, "10.0.0.5",
                new BootNotificationRequest("ACME", "Wallbox 22", null, null, "1.2.3", null, null, null, null),
                Instant.now(), Instant.now(), List.of(k0, k1), List.of(t));
    }

    @Test
    void publishesTheSiteRetainedWithUnknownAsNullAndFollowsChanges() throws Exception {
        publisher(false);
        try (TestClient dash = new TestClient(broker).subscribe("depot/site", 1)) {
            JsonNode first = json(dash.next("depot/site", 5000));
            assertThat(first.get("grid_power").isNull()).as("unknown is null, never 0").isTrue();
            assertThat(first.has("pv_power")).isTrue();

            // stale after 3 s: long enough for the next publication on a loaded machine, short for the test
            model.accept(new Measurement(MeasurementKey.of(Meter.GRID, Quantity.POWER), -1234.5, Instant.now(),
                    Duration.ofSeconds(3), "test"));
            model.accept(new Measurement(MeasurementKey.of(Meter.circuit("garage"), Quantity.POWER), 55, Instant.now(),
                    Duration.ofMinutes(1), "test"));
            TestClient.Received r = dash.next("depot/site", 5000);
            assertThat(r.qos()).isEqualTo(1);
            assertThat(json(r).get("grid_power").asDouble()).isEqualTo(-1234.5);
            assertThat(json(r).get("circuit_garage_power").asDouble()).isEqualTo(55);

            TestClient.Received stale = dash.next("depot/site", 5000);
            assertThat(json(stale).get("grid_power").isNull()).as("went unknown when stale").isTrue();
            assertThat(dash.next("depot/site", 300)).as("nothing changed: nothing sent").isNull();
        }
        try (TestClient late = new TestClient(broker).subscribe("depot/site", 1)) {
            assertThat(late.next("depot/site", 5000)).as("retained for late subscribers").isNotNull();
        }
    }

    @Test
    void publishesEachChargerWithStatusPowerAndSessionEnergyButNoMadeUpLimit() throws Exception {
        chargers.add(charging("CP-1"));
        publisher(false);
        try (TestClient dash = new TestClient(broker).subscribe("depot/charger/+", 1)) {
            JsonNode c = json(dash.next("depot/charger/CP-1", 5000));
            assertThat(c.get("connected").asBoolean()).isTrue();
            assertThat(c.get("status").asText()).isEqualTo("Charging");
            assertThat(c.get("power").asDouble()).as("sum of phases").isEqualTo(7000);
            assertThat(c.get("session_energy").asDouble()).isEqualTo(2345);
            assertThat(c.get("connectors").get("1").get("energy").asDouble()).isEqualTo(12345);
            assertThat(c.get("connectors").get("1").get("transaction_id").asInt()).isEqualTo(17);
            assertThat(c.has("current_limit")).isFalse();

            ChargerInfo gone = charging("CP-1");
            chargers.set(0, new ChargerInfo("CP-1", false, gone.connectedSince(), Instant.now(), gone.remoteAddress(),
                    gone.boot(), gone.bootedAt(), gone.lastSeen(), gone.connectors(), gone.openTransactions()));
            JsonNode off = json(dash.next("depot/charger/CP-1", 5000));
            assertThat(off.get("connected").asBoolean()).isFalse();
            assertThat(off.get("status").isNull()).isTrue();
            assertThat(off.get("power").isNull()).as("a disconnected charger's old power is not its power now").isTrue();
        }
    }

    @Test
    void homeAssistantDiscoveryForTheSiteAndEachChargerAndAgainWhenHomeAssistantRestarts() throws Exception {
        chargers.add(charging("CP-1"));
        try (TestClient ha = new TestClient(broker).subscribe("homeassistant/#", 1)) {
            publisher(true);
            JsonNode grid = json(ha.next("homeassistant/sensor/depot/grid_power/config", 5000));
            assertThat(grid.get("state_topic").asText()).isEqualTo("depot/site");
            assertThat(grid.get("value_template").asText()).isEqualTo("{{ value_json.grid_power }}");
            assertThat(grid.get("unit_of_measurement").asText()).isEqualTo("W");
            assertThat(grid.get("device_class").asText()).isEqualTo("power");
            assertThat(grid.get("availability_topic").asText()).isEqualTo("depot/status");
            assertThat(grid.get("unique_id").asText()).isEqualTo("depot_grid_power");
            assertThat(grid.get("device").get("identifiers").get(0).asText()).isEqualTo("depot");

            JsonNode soc = json(ha.next("homeassistant/sensor/depot/battery_soc/config", 5000));
            assertThat(soc.get("device_class").asText()).isEqualTo("battery");
            assertThat(soc.get("unit_of_measurement").asText()).isEqualTo("%");

            JsonNode power = json(ha.next("homeassistant/sensor/depot_CP-1/power/config", 5000));
            assertThat(power.get("state_topic").asText()).isEqualTo("depot/charger/CP-1");
            assertThat(power.get("device").get("manufacturer").asText()).isEqualTo("ACME");
            assertThat(power.get("device").get("via_device").asText()).isEqualTo("depot");
            assertThat(ha.next("homeassistant/binary_sensor/depot_CP-1/connected/config", 5000)).isNotNull();
            TestClient.Received noLimit = ha.next("homeassistant/number/depot_CP-1/current_limit/config", 5000);
            assertThat(noLimit.payload()).as("no control while commands are off").isEmpty();
            assertThat(ha.next("homeassistant/sensor/depot_CP-1/power/config", 500)).as("sent once").isNull();

            ha.publish("homeassistant/status", "online");
            assertThat(ha.next("homeassistant/sensor/depot_CP-1/power/config", 5000))
                    .as("again after Home Assistant's birth message").isNotNull();

            commands = new CommandInput(new CommandInput.Settings(true, java.util.Set.of("CP-1"), 6, 16, 0), connection,
                    new CommandInputTest.RecordingCommands());
            TestClient.Received r = ha.next("homeassistant/number/depot_CP-1/current_limit/config", 5000);
            while (r != null && r.payload().isEmpty()) { // the removal sent again after the birth message
                r = ha.next("homeassistant/number/depot_CP-1/current_limit/config", 5000);
            }
            JsonNode limit = json(r);
            assertThat(limit.get("command_topic").asText()).isEqualTo("depot/charger/CP-1/set/current_limit");
            assertThat(limit.get("min").asDouble()).isEqualTo(6);
            assertThat(limit.get("max").asDouble()).isEqualTo(16);
            commands.stop();
        }
    }

    @Test
    void disabledPublishesNothing() throws Exception {
        try (TestClient dash = new TestClient(broker).subscribe("depot/#", 1)) {
            publisher = new StatePublisher(new StatePublisher.Settings(false, Duration.ofMillis(50),
                    Duration.ofMinutes(5), 1, true, "homeassistant", "depot"), connection, model::snapshot,
                    () -> chargers, () -> null);
            Await.until("connected", connection::connected);
            assertThat(dash.next("depot/site", 500)).isNull();
        }
    }
}
