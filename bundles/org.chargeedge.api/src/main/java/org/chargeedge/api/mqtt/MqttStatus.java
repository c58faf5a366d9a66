package org.chargeedge.api.mqtt;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/** The MQTT broker connection and the energy inputs behind it, read only. */
@ProviderType
public interface MqttStatus {

    /**
     * The connection and every input, taken now.
     *
     * @param brokerUrl the broker's URL without user name or password; null when no broker is configured
     * @param connected whether the connection is up now
     * @param since when the current connection came up; null while not connected
     * @param failedAttempts connection attempts failed in a row since the last success
     * @param lastError the last failure in words (refused, unreachable, TLS file, lost); null if none
     * @param lastErrorAt when that failure happened
     * @param received messages received since the start
     * @param published messages published since the start
     * @param dropped messages not published (not connected, too many in flight)
     * @param subscriptions the distinct topic filters subscribed to
     * @param inputs the energy inputs (one per configured device), by name
     */
    record Connection(String brokerUrl, boolean connected, Instant since, int failedAttempts, String lastError,
                      Instant lastErrorAt, long received, long published, long dropped, List<String> subscriptions,
                      List<Input> inputs) {

        public Connection {
            subscriptions = List.copyOf(subscriptions);
            inputs = List.copyOf(inputs);
        }

        /** Whether a broker is configured at all: without one the site runs without MQTT, which is normal. */
        public boolean configured() {
            return brokerUrl != null;
        }
    }

    /**
     * One energy input (a device).
     *
     * @param name the input's name (its configuration file)
     * @param problem why it does not run (its configuration is wrong); null while it runs
     * @param topics the topic filters it reads
     * @param messages messages it received
     * @param lastMessageAt when its last message arrived; null if none yet
     * @param lastMessageAge how long ago that was; null if none yet
     * @param staleAfter how long its values stay valid without a new message (the longest of its values)
     * @param stale no message within {@code staleAfter}, or none yet: its values are unknown to the gateway
     * @param unknownValues its values the energy model holds as unknown now, each with the reason
     *                      ({@code "grid/POWER (stale)"}, {@code "pv/POWER (retained, age unknown)"})
     * @param warning a configuration advice (device reporting too slowly); empty if none
     */
    record Input(String name, String problem, List<String> topics, long messages, Instant lastMessageAt,
                 Duration lastMessageAge, Duration staleAfter, boolean stale, List<String> unknownValues,
                 String warning) {

        public Input {
            topics = List.copyOf(topics);
            unknownValues = List.copyOf(unknownValues);
            warning = warning == null ? "" : warning;
        }
    }

    Connection connection();
}
