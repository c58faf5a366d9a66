package org.chargeedge.mqtt.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.chargeedge.api.energy.MeasurementKey;
import org.chargeedge.api.energy.Meter;
import org.chargeedge.api.energy.Quantity;
import org.chargeedge.energy.internal.SiteEnergyComponent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The connection and an input against a real broker: reconnects, will, retained messages, QoS, garbage, staleness. */
class BrokerConnectionTest {

    private static final MeasurementKey PV = MeasurementKey.of(Meter.PV, Quantity.POWER);

    private EmbeddedBroker broker;
    private BrokerConnection connection;
    private final SiteEnergyComponent model = new SiteEnergyComponent();

    @BeforeEach
    void start() throws Exception {
        broker = new EmbeddedBroker();
    }

    @AfterEach
    void stop() {
        if (connection != null) {
            connection.stop();
        }
        broker.close();
    }

    private BrokerConnection connect() {
        connection = new BrokerConnection(PresetsOverBrokerTest.settings(broker, "site1"));
        return connection;
    }

    private MqttInput openDtu(int staleAfterSeconds) {
        return new MqttInput(Inputs.settings("pv", "preset", "opendtu", "staleAfter", String.valueOf(staleAfterSeconds)),
                1, connection, model);
    }

    private void awaitSubscribed() throws InterruptedException {
        Await.until("connected and subscribed", () -> connection.connected() && !connection.state().subscriptions().isEmpty());
        Thread.sleep(100);
    }

    @Test
    void reconnectsAfterABrokerRestartAndResubscribes() throws Exception {
        connect();
        openDtu(0);
        awaitSubscribed();
        try (TestClient device = new TestClient(broker)) {
            device.publish("solar/ac/power", "100");
        }
        Await.until("first value", () -> model.snapshot().value(PV).isPresent());

        broker.stop();
        Await.until("connection lost seen", () -> !connection.connected());
        assertThat(connection.state().lastError()).isNotBlank();
        Thread.sleep(600); // several failed attempts against the stopped broker
        assertThat(connection.state().failedAttempts()).isPositive();

        broker.start();
        Await.until("reconnected", Duration.ofSeconds(15), connection::connected);
        Thread.sleep(100);
        try (TestClient device = new TestClient(broker)) {
            device.publish("solar/ac/power", "222");
        }
        Await.until("value after reconnect: the subscription was renewed",
                () -> model.snapshot().value(PV).orElse(-1) == 222);
        assertThat(connection.state().failedAttempts()).isZero();
    }

    @Test
    void keepsTryingWithBackoffWhenNoBrokerListensThenConnects() throws Exception {
        broker.stop();
        connect();
        Thread.sleep(800);
        BrokerConnection.State s = connection.state();
        assertThat(s.connected()).isFalse();
        assertThat(s.failedAttempts()).as("backoff 50, 100, 200, 400 ms: a handful, not hundreds").isBetween(2, 8);
        assertThat(s.lastError()).isNotBlank();
        assertThat(connection.publish("x", new byte[] {1}, 0, false)).isFalse();
        broker.start();
        Await.until("connected once the broker is up", Duration.ofSeconds(5), connection::connected);
    }

    @Test
    void willSaysOfflineWhenTheConnectionBreaksAndOnlineIsRetainedOnConnect() throws Exception {
        try (TestClient watcher = new TestClient(broker).subscribe("site1/status", 1)) {
            connect();
            assertThat(watcher.next("site1/status", 5000).payload()).isEqualTo("online");
            // drop the TCP connection without DISCONNECT: the broker must publish the will
            connection.dropForTest();
            TestClient.Received will = watcher.next("site1/status", 5000);
            assertThat(will).isNotNull();
            assertThat(will.payload()).isEqualTo("offline");
            assertThat(watcher.next("site1/status", 5000).payload()).as("back after reconnect").isEqualTo("online");
        }
        try (TestClient late = new TestClient(broker).subscribe("site1/status", 1)) {
            TestClient.Received r = late.next("site1/status", 5000);
            // Moquette 0.17 clears the retain flag on delivery, so what proves retention is that a late subscriber gets it
            assertThat(r).as("a late subscriber gets the status: it is retained").isNotNull();
            assertThat(r.payload()).isEqualTo("online");
        }
        connection.stop();
        // The broker stores the retained "offline" once it has handled the publish; a subscriber that
        // comes in just before that still gets "online", so look again until the deadline.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        String retained;
        do {
            try (TestClient late = new TestClient(broker).subscribe("site1/status", 1)) {
                TestClient.Received r = late.next("site1/status", 2000);
                retained = r == null ? null : r.payload();
            }
        } while (!"offline".equals(retained) && System.nanoTime() < deadline);
        assertThat(retained).as("orderly stop").isEqualTo("offline");
    }

    @Test
    void retainedValuesArriveOnSubscribeAndQos1IsDelivered() throws Exception {
        try (TestClient device = new TestClient(broker)) {
            device.publish("solar/ac/power", "777", 1, true);
        }
        connect();
        openDtu(0);
        Await.until("retained value read on subscribe", () -> model.snapshot().value(PV).orElse(-1) == 777);
        try (TestClient device = new TestClient(broker)) {
            for (int i = 1; i <= 200; i++) {
                device.publish("solar/ac/power", String.valueOf(i), 1, false);
            }
        }
        Await.until("every QoS 1 message in order, the last one last", () -> model.snapshot().value(PV).orElse(-1) == 200);
    }

    @Test
    void garbageIsCountedAndNeverBreaksTheConnection() throws Exception {
        connect();
        MqttInput victron = new MqttInput(Inputs.settings("v", "preset", "victron", "device", "p1"), 0, connection, model);
        awaitSubscribed();
        String t = "N/p1/system/0/Dc/Pv/Power";
        try (TestClient device = new TestClient(broker)) {
            device.publish(t, "{\"value\": 100}");
            Await.until("valid", () -> model.snapshot().value(PV).isPresent());
            device.publish(t, "{\"value\": ");
            device.publishBytes(t, new byte[] {(byte) 0xc3, 0x28, 0, (byte) 0xff});
            device.publish(t, "[1,2,3]");
            device.publish(t, "{\"value\": {\"nested\": 1}}");
            device.publish(t, "{\"value\": \"unavailable\"}");
            device.publish(t, "");
            Await.until("all garbage seen", () -> victron.engine().messages.sum() == 7);
            assertThat(model.snapshot().value(PV)).isEmpty();
            assertThat(victron.engine().invalid.sum()).isEqualTo(3);
            assertThat(victron.engine().unknown.sum()).isEqualTo(2);
            assertThat(victron.describe()).contains("3 invalid");
            device.publish(t, "{\"value\": 42}");
            Await.until("still reading after garbage", () -> model.snapshot().value(PV).orElse(-1) == 42);
        }
        assertThat(connection.connected()).isTrue();
    }

    @Test
    void aValueNotRepeatedWithinItsTimeoutBecomesUnknown() throws Exception {
        connect();
        openDtu(1);
        awaitSubscribed();
        try (TestClient device = new TestClient(broker)) {
            device.publish("solar/ac/power", "500");
            Await.until("fresh", () -> model.snapshot().value(PV).isPresent());
            long seen = System.nanoTime();
            Await.until("stale", Duration.ofSeconds(3), () -> model.snapshot().value(PV).isEmpty());
            assertThat(Duration.ofNanos(System.nanoTime() - seen)).isBetween(Duration.ofMillis(800), Duration.ofMillis(1500));
            device.publish("solar/ac/power", "501");
            Await.until("fresh again", () -> model.snapshot().value(PV).orElse(-1) == 501);
        }
    }

    @Test
    void aBadInputConfigurationStaysIdleAndHarmsNothing() throws Exception {
        connect();
        MqttInput bad = new MqttInput(Inputs.settings("bad", "preset", "victron"), 0, connection, model);
        MqttInput unknownPreset = new MqttInput(Inputs.settings("x", "preset", "solaredge"), 0, connection, model);
        MqttInput badLine = new MqttInput(Inputs.settings("y", "preset", "generic", "mapping.0", "grid POWER"), 0, connection,
                model);
        assertThat(bad.describe()).contains("not running").contains("portal id");
        assertThat(unknownPreset.describe()).contains("unknown preset");
        assertThat(badLine.describe()).contains("topic=");
        Await.until("connected", connection::connected);
        assertThat(connection.state().subscriptions()).isEmpty();
        bad.stop();
    }

    @Test
    void withoutABrokerNothingHappens() {
        BrokerConnection idle = new BrokerConnection(new ConnectionSettings(null, "", "", "gw-" + UUID.randomUUID(),
                true, "chargeedge", 30, Duration.ofSeconds(1), Duration.ofMillis(10), Duration.ofMillis(10)));
        try {
            MqttBus.Handle h = idle.subscribe("a/#", 0, (t, p, r) -> { });
            assertThat(idle.publish("a", new byte[0], 0, false)).isFalse();
            assertThat(idle.connected()).isFalse();
            assertThat(idle.state().failedAttempts()).isZero();
            h.close();
        } finally {
            idle.stop();
        }
        assertThat(ConnectionSettings.serverUri("", "", 0, false)).isNull();
        assertThat(ConnectionSettings.serverUri("", "broker.lan", 0, true)).isEqualTo("ssl://broker.lan:8883");
        assertThat(ConnectionSettings.serverUri("ssl://h:1", "ignored", 5, false)).isEqualTo("ssl://h:1");
        assertThat(ConnectionSettings.serverUri(null, "h", 1884, false)).isEqualTo("tcp://h:1884");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConnectionSettings.serverUri("http://h", "", 0, false))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
