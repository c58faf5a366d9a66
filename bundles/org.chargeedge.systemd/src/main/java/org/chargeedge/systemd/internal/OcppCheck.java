package org.chargeedge.systemd.internal;

import java.time.Duration;
import java.util.function.Supplier;

import org.chargeedge.api.charger.OcppServerHealth;

/**
 * Whether the chargers' OCPP server serves, by a real connection to each port
 * ({@link OcppServerHealth#probe}): only a server whose event loops run answers it.
 *
 * <ul>
 * <li>A server that answered once since it started and answers no more (its listener died, an
 * event loop is stuck) is {@link Finding.Kind#FAILED}: a restart cures that.</li>
 * <li>A server that never answered since it started (a port another process holds, a certificate
 * file it cannot read) is {@link Finding.Kind#DEGRADED}: a restart would fail the same way, so
 * restarting it in a loop only hides the cause.</li>
 * <li>No server at all (the central system being updated, or not starting for its configuration)
 * is {@link Finding.Kind#DEGRADED} for the same reason.</li>
 * </ul>
 *
 * State is the watchdog thread's.
 */
final class OcppCheck implements HealthCheck {

    private final Supplier<OcppServerHealth> server;
    private final Duration probeTimeout;
    private OcppServerHealth current;
    private boolean servedOnce;
    private int connections;

    OcppCheck(Supplier<OcppServerHealth> server, Duration probeTimeout) {
        this.server = server;
        this.probeTimeout = probeTimeout;
    }

    @Override
    public Finding check(long nowNanos) {
        OcppServerHealth health = server.get();
        if (health != current) {
            // Another instance (restarted or reconfigured): it has not served yet.
            current = health;
            servedOnce = false;
        }
        if (health == null) {
            connections = 0;
            return Finding.degraded("the OCPP server is not running");
        }
        connections = health.connections();
        String problem = health.probe(probeTimeout);
        if (problem == null) {
            servedOnce = true;
            return Finding.OK;
        }
        return servedOnce ? Finding.failed("the OCPP server stopped serving: " + problem)
                : Finding.degraded("the OCPP server has not served since it started: " + problem);
    }

    /** The chargers connected at the last check. */
    int connections() {
        return connections;
    }
}
