package org.chargeedge.api.charger;

import java.time.Duration;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Whether the chargers' OCPP server serves: for health checks (a systemd
 * watchdog, a load balancer, the update job that decides whether a new
 * bundle works). A port that is open but whose server no longer answers
 * (a wedged event loop, descriptors exhausted) must count as down, so the
 * answer comes from a real connection, not from a flag.
 *
 * @since 1.4
 */
@ProviderType
public interface OcppServerHealth {

    /**
     * A port the server is configured to listen on.
     *
     * @param host the address it binds ({@code 0.0.0.0}: all)
     * @param tls whether it is the {@code wss://} port
     * @param open whether its listening socket is bound and open now
     */
    record Listener(String host, int port, boolean tls, boolean open) {
    }

    /** Every configured port, plain first; empty while the server is not started. */
    List<Listener> listeners();

    /** The chargers' WebSocket connections open now. */
    int connections();

    /**
     * Connects to every port from this machine, completes the TLS handshake
     * on the {@code wss://} port, and sends an HTTP request that the server
     * answers itself, without a charger's handshake, a log line or a
     * refusal. Blocks for at most about {@code timeout} per port; call it
     * from a health checker's thread, never from a charger's.
     *
     * @return null when every port answered; otherwise what failed, in an
     *         installer's words (which port, and how)
     */
    String probe(Duration timeout);
}
