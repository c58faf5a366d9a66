package org.chargeedge.http.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;
import org.chargeedge.api.charger.OcppServerHealth;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Felix health check: the chargers' OCPP server answers on every port it is
 * configured for. The answer comes from {@link OcppServerHealth#probe}, a real
 * connection from this machine (a TLS handshake on the {@code wss://} port),
 * so a port that is open but no longer served (a wedged event loop, file
 * descriptors exhausted) is CRITICAL, as is a server that does not run.
 *
 * <p>{@code /health} is public, so the probe's result is kept for
 * {@link #REUSE}: however often the endpoint is asked, the server sees at most
 * one probe connection per port every two seconds. Probes are serialised on
 * this object's monitor; the last result is guarded by it too.
 */
@Component(property = {HealthCheck.NAME + "=OCPP server", HealthCheck.TAGS + "=" + HealthServlet.TAG,
        HealthCheck.TAGS + "=ocpp"})
public class OcppServerCheck implements HealthCheck {

    static final Duration REUSE = Duration.ofSeconds(2);
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile OcppServerHealth server;

    private final Clock clock;
    private Instant lastProbe;   // guarded by this
    private Result lastResult;   // guarded by this

    public OcppServerCheck() {
        this(Clock.systemUTC());
    }

    OcppServerCheck(OcppServerHealth server, Clock clock) {
        this(clock);
        this.server = server;
    }

    private OcppServerCheck(Clock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized Result execute() {
        Instant now = clock.instant();
        if (lastResult != null && now.isBefore(lastProbe.plus(REUSE))) {
            return lastResult;
        }
        lastResult = probe(server);
        lastProbe = now;
        return lastResult;
    }

    private static Result probe(OcppServerHealth server) {
        if (server == null) {
            return new Result(Result.Status.CRITICAL, "the OCPP server does not run: chargers cannot connect");
        }
        List<OcppServerHealth.Listener> listeners = server.listeners();
        if (listeners.isEmpty()) {
            return new Result(Result.Status.CRITICAL, "the OCPP server is not started: chargers cannot connect");
        }
        String ports = listeners.stream()
                .map(l -> (l.tls() ? "wss " : "ws ") + l.host() + ":" + l.port() + (l.open() ? "" : " closed"))
                .collect(Collectors.joining(", "));
        String problem = server.probe(PROBE_TIMEOUT);
        if (problem != null) {
            return new Result(Result.Status.CRITICAL, problem + "; ports: " + ports);
        }
        return new Result(Result.Status.OK, "answering on " + ports + "; " + server.connections()
                + " charger connection(s)");
    }
}
