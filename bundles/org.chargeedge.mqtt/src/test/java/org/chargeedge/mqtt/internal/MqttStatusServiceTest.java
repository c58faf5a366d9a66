package org.chargeedge.mqtt.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.chargeedge.api.energy.Measurement;
import org.chargeedge.api.energy.MeasurementKey;
import org.chargeedge.api.energy.Meter;
import org.chargeedge.api.energy.Quantity;
import org.chargeedge.api.mqtt.MqttStatus;
import org.chargeedge.energy.internal.SiteEnergyComponent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link MqttStatus} against a real broker: connected, an input fed and going stale, a broken input, the broker gone. */
class MqttStatusServiceTest {

    private EmbeddedBroker broker;
    private BrokerConnection connection;
    private TestClient device;
    private final SiteEnergyComponent model = new SiteEnergyComponent();

    @AfterEach
    void stop() throws Exception {
        if (device != null) {
            device.close();
        }
        if (connection != null) {
            connection.stop();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void withoutABrokerNothingIsConfigured() {
        MqttStatus.Connection none = new MqttStatusService().connection();
        assertThat(none.configured()).isFalse();
        assertThat(none.connected()).isFalse();
        assertThat(none.inputs()).isEmpty();
    }

    @Test
    void anInputFedOverTheBrokerIsFreshThenStaleAndTheLostBrokerIsNamed() throws Exception {
        broker = new EmbeddedBroker();
        connection = new BrokerConnection(PresetsOverBrokerTest.settings(broker, "site1"));
        MqttInput pv = new MqttInput(Inputs.settings("pv.cfg", "preset", "opendtu", "topicPrefix", "dtu7"), 0,
                connection, model);
        MqttInput broken = new MqttInput(Inputs.settings("broken.cfg", "preset", "victron"), 0, connection, model);
        MqttStatusService status = new MqttStatusService(connection, model, List.of(pv, broken), Clock.systemUTC());
        Await.until("connected", connection::connected);

        MqttStatus.Connection before = status.connection();
        assertThat(before.brokerUrl()).isEqualTo(broker.url());
        assertThat(before.connected()).isTrue();
        assertThat(before.since()).isNotNull();
        assertThat(before.subscriptions()).contains("dtu7/ac/power");
        MqttStatus.Input silent = before.inputs().get(1);
        assertThat(silent.name()).isEqualTo("pv.cfg");
        assertThat(silent.lastMessageAt()).isNull();
        assertThat(silent.stale()).as("no message yet: its values are unknown").isTrue();
        MqttStatus.Input notRunning = before.inputs().get(0);
        assertThat(notRunning.name()).isEqualTo("broken.cfg");
        assertThat(notRunning.problem()).startsWith("this preset needs device");

        device = new TestClient(broker);
        device.publish("dtu7/ac/power", "812.5");
        Await.until("the input got it", () -> pv.engine().messages.sum() == 1);
        MqttStatus.Input fed = status.connection().inputs().get(1);
        assertThat(fed.messages()).isEqualTo(1);
        assertThat(fed.lastMessageAt()).isNotNull();
        assertThat(fed.lastMessageAge()).isLessThan(Duration.ofSeconds(10));
        assertThat(fed.staleAfter()).isEqualTo(Duration.ofSeconds(30));
        assertThat(fed.stale()).isFalse();
        assertThat(fed.topics()).contains("dtu7/ac/power", "dtu7/ac/is_valid");

        // the same moment seen a minute later: nothing came within 30 s
        MqttStatus.Input later = new MqttStatusService(connection, model, List.of(pv),
                Clock.offset(Clock.systemUTC(), Duration.ofMinutes(1))).connection().inputs().get(0);
        assertThat(later.stale()).isTrue();
        assertThat(later.lastMessageAge()).isGreaterThan(Duration.ofSeconds(30));

        // a value the energy model holds as stale is named on its input
        model.accept(new Measurement(MeasurementKey.of(Meter.PV, Quantity.POWER), 900,
                Instant.now().minusSeconds(120), Duration.ofSeconds(10), "dtu7/ac/power"));
        assertThat(status.connection().inputs().get(1).unknownValues()).containsExactly("pv/POWER (stale)");

        broker.stop();
        Await.until("connection lost seen", () -> !connection.connected());
        MqttStatus.Connection down = status.connection();
        assertThat(down.configured()).isTrue();
        assertThat(down.connected()).isFalse();
        assertThat(down.since()).isNull();
        assertThat(down.lastError()).containsAnyOf("connection lost", "Connection refused");
        assertThat(down.lastErrorAt()).isNotNull();
    }

    @Test
    void credentialsInTheBrokerUrlAreNeverShown() {
        assertThat(MqttStatusService.withoutCredentials("tcp://gw:s3cret@broker.local:1883"))
                .isEqualTo("tcp://broker.local:1883");
        assertThat(MqttStatusService.withoutCredentials("ssl://broker.local:8883")).isEqualTo("ssl://broker.local:8883");
        assertThat(MqttStatusService.withoutCredentials("tcp://broker.local:1883/a@b"))
                .isEqualTo("tcp://broker.local:1883/a@b");
    }
}
