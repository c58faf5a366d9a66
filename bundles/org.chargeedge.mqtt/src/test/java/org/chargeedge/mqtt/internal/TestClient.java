package org.chargeedge.mqtt.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/** A device, a dashboard or Home Assistant: a second, independent Paho client on the same broker. */
final class TestClient implements AutoCloseable {

    record Received(String topic, String payload, int qos, boolean retained) {}

    final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final MqttClient client;

    TestClient(EmbeddedBroker broker) throws MqttException {
        client = new MqttClient(broker.url(), "test-" + UUID.randomUUID(), new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        o.setMaxInflight(10_000);
        client.connect(o);
    }

    TestClient subscribe(String filter, int qos) throws MqttException {
        client.subscribe(filter, qos, (topic, m) -> received.add(
                new Received(topic, new String(m.getPayload(), UTF_8), m.getQos(), m.isRetained())));
        return this;
    }

    void publish(String topic, String payload) throws MqttException {
        publish(topic, payload, 1, false);
    }

    void publish(String topic, String payload, int qos, boolean retained) throws MqttException {
        MqttMessage m = new MqttMessage(payload.getBytes(UTF_8));
        m.setQos(qos);
        m.setRetained(retained);
        client.publish(topic, m);
    }

    void publishBytes(String topic, byte[] payload) throws MqttException {
        client.publish(topic, payload, 1, false);
    }

    /** The next message on {@code topic}, or null after the timeout. */
    Received next(String topic, long millis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (true) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            Received r = received.poll(left, TimeUnit.NANOSECONDS);
            if (r != null && r.topic().equals(topic)) {
                return r;
            }
        }
    }

    @Override
    public void close() throws MqttException {
        if (client.isConnected()) {
            client.disconnect(1000);
        }
        client.close();
    }

    MqttClient paho() {
        return client;
    }

    static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }
}
