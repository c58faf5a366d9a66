package org.chargeedge.mqtt.internal;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import org.chargeedge.api.mqtt.MqttStatus;
import org.chargeedge.energy.internal.SiteEnergyComponent;

/**
 * The MQTT side of a site for other bundles' tests: a real broker (Moquette)
 * in the test JVM, the gateway's connection to it, one input per preset and
 * the {@link MqttStatus} over them, as the framework would wire them; and a
 * device that publishes. In this module's test jar.
 */
public final class MqttTestSite implements AutoCloseable {

    private final EmbeddedBroker broker;
    private final BrokerConnection connection;
    private final TestClient device;
    private final MqttStatusService status;

    /** @param inputs name, then preset, for each input ("pv.cfg", "opendtu", ...) */
    public MqttTestSite(String... inputs) throws Exception {
        broker = new EmbeddedBroker();
        connection = new BrokerConnection(PresetsOverBrokerTest.settings(broker, "site"));
        SiteEnergyComponent model = new SiteEnergyComponent();
        List<MqttInput> each = new ArrayList<>();
        for (int i = 0; i < inputs.length; i += 2) {
            each.add(new MqttInput(Inputs.settings(inputs[i], "preset", inputs[i + 1]), 0, connection, model));
        }
        status = new MqttStatusService(connection, model, each, Clock.systemUTC());
        Await.until("connected", connection::connected);
        device = new TestClient(broker);
    }

    public MqttStatus status() {
        return status;
    }

    public String brokerUrl() {
        return broker.url();
    }

    /** A device publishes; returns once the gateway received it. */
    public void publish(String topic, String payload) throws Exception {
        long before = connection.state().received();
        device.publish(topic, payload);
        Await.until("the gateway received " + topic, () -> connection.state().received() > before);
    }

    /** The broker goes away; returns once the gateway noticed. */
    public void stopBroker() throws Exception {
        broker.stop();
        Await.until("connection lost seen", () -> !connection.connected());
    }

    @Override
    public void close() throws Exception {
        device.close();
        connection.stop();
        broker.close();
    }
}
