package org.chargeedge.mqtt.internal;

import java.time.Duration;

/**
 * The gateway's one MQTT connection as the bundle's other components see it.
 * Subscriptions and connection hooks outlive reconnects: they are renewed on
 * every new connection.
 */
interface MqttBus {

    /** Called on the client's callback thread: must not block. */
    @FunctionalInterface
    interface MessageListener {
        void message(String topic, byte[] payload, boolean retained);
    }

    /** Undoes a subscription, hook or periodic task. */
    interface Handle extends AutoCloseable {
        @Override
        void close();
    }

    Handle subscribe(String filter, int qos, MessageListener listener);

    /** @return false when it was dropped: not connected, or too many messages in flight */
    boolean publish(String topic, byte[] payload, int qos, boolean retained);

    boolean connected();

    /** The site's topics live under this prefix, without a trailing slash. */
    String baseTopic();

    /** Runs {@code hook} after every (re)connect, and at once if connected now, on the bus's timer thread. */
    Handle onConnected(Runnable hook);

    /** Runs {@code task} every {@code period} on the bus's timer thread (the first run after one period). */
    Handle every(Duration period, Runnable task);
}
