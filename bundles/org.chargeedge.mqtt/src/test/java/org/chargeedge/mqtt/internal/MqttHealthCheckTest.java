package org.chargeedge.mqtt.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.apache.felix.hc.api.Result;
import org.chargeedge.api.energy.Measurement;
import org.chargeedge.api.energy.MeasurementKey;
import org.chargeedge.api.energy.Meter;
import org.chargeedge.api.energy.Quantity;
import org.chargeedge.energy.internal.SiteEnergyComponent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The "MQTT" health check against a real broker: connected, a broken input, stale values, the broker gone. */
class MqttHealthCheckTest {

    private EmbeddedBroker broker;
    private BrokerConnection connection;
    private final SiteEnergyComponent model = new SiteEnergyComponent();

    @AfterEach
    void stop() {
        if (connection != null) {
            connection.stop();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private static MqttHealthCheck check(BrokerConnection connection, SiteEnergyComponent model,
                                         List<MqttInput> inputs) {
        return new MqttHealthCheck(new MqttStatusService(connection, model, inputs, Clock.systemUTC()));
    }

    private static String message(Result result) {
        return result.iterator().next().getMessage();
    }

    @Test
    void aSiteWithoutABrokerIsHealthy() {
        Result result = check(null, model, List.of()).execute();
        assertThat(result.getStatus()).isEqualTo(Result.Status.OK);
        assertThat(message(result)).isEqualTo("no MQTT broker configured");
    }

    @Test
    void okWhileConnectedAndFreshThenWarnsForEachProblem() throws Exception {
        broker = new EmbeddedBroker();
        connection = new BrokerConnection(PresetsOverBrokerTest.settings(broker, "site1"));
        MqttInput pv = new MqttInput(Inputs.settings("pv", "preset", "opendtu"), 1, connection, model);
        Await.until("connected", connection::connected);
        model.accept(new Measurement(MeasurementKey.of(Meter.PV, Quantity.POWER), 3200, Instant.now(),
                Duration.ofMinutes(1), "solar/ac/power"));

        Result ok = check(connection, model, List.of(pv)).execute();
        assertThat(ok.getStatus()).isEqualTo(Result.Status.OK);
        assertThat(message(ok)).contains("connected to tcp://").contains("1 input(s), 1 fresh value(s)");

        MqttInput broken = new MqttInput(Inputs.settings("broken", "preset", "victron"), 1, connection, model);
        Result badInput = check(connection, model, List.of(pv, broken)).execute();
        assertThat(badInput.getStatus()).isEqualTo(Result.Status.WARN);
        assertThat(message(badInput)).startsWith("input broken does not run: this preset needs device");

        model.accept(new Measurement(MeasurementKey.of(Meter.GRID, Quantity.POWER), 900,
                Instant.now().minusSeconds(120), Duration.ofSeconds(10), "grid/power"));
        Result stale = check(connection, model, List.of(pv)).execute();
        assertThat(stale.getStatus()).isEqualTo(Result.Status.WARN);
        assertThat(message(stale)).contains("unknown values: grid/POWER (stale)");

        broker.stop();
        Await.until("connection lost seen", () -> !connection.connected());
        Result down = check(connection, model, List.of(pv)).execute();
        assertThat(down.getStatus()).isEqualTo(Result.Status.WARN);
        assertThat(message(down)).contains("not connected").contains("energy values from MQTT are unknown");
    }
}
