package org.chargeedge.mqtt.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.chargeedge.api.energy.Measurement;
import org.chargeedge.api.energy.MeasurementKey;
import org.chargeedge.api.energy.Meter;
import org.chargeedge.api.energy.Quantity;
import org.chargeedge.energy.internal.SiteEnergyComponent;
import org.junit.jupiter.api.Test;

class MqttShellCommandTest {

    @Test
    void showsAMissingConfigurationAnIdleConnectionInputsAndTheModel() throws Exception {
        assertThat(new MqttShellCommand(new MqttStatusService()).mqtt()).contains("not configured");

        BrokerConnection down = new BrokerConnection(new ConnectionSettings("tcp://127.0.0.1:1", "", "",
                "gw-" + UUID.randomUUID(), true, "site", 30, Duration.ofSeconds(1), Duration.ofSeconds(5),
                Duration.ofSeconds(5)));
        SiteEnergyComponent model = new SiteEnergyComponent();
        try {
            MqttInput bad = new MqttInput(Inputs.settings("broken.cfg", "preset", "victron"), 0, down, model);
            MqttInput pv = new MqttInput(Inputs.settings("pv.cfg", "preset", "opendtu"), 0, down, model);
            MqttShellCommand shell = new MqttShellCommand(new MqttStatusService(down, model, List.of(bad, pv),
                    Clock.systemUTC()));
            pv.engine().onMessage("solar/ac/power", "abc".getBytes());
            model.accept(new Measurement(MeasurementKey.of(Meter.PV, Quantity.POWER), 3200, Instant.now(),
                    Duration.ofMinutes(1), "solar/ac/power"));
            Await.until("first attempt failed", () -> down.state().failedAttempts() > 0);

            String out = shell.mqtt();
            assertThat(out).contains("tcp://127.0.0.1:1 NOT connected").contains("Connection refused");
            assertThat(out).contains("broken.cfg: not running: this preset needs device");
            assertThat(out).contains("pv.cfg: 1 messages, 0 values, 0 unknown, 1 invalid (last: solar/ac/power: abc)");
            assertThat(out).contains("pv/POWER <- solar/ac/power");
            assertThat(out).containsPattern("pv/POWER\\s+3200.0 W");
        } finally {
            down.stop();
        }
    }
}
