package org.chargeedge.systemd.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.chargeedge.api.charger.SiteReadiness;
import org.chargeedge.api.charger.SiteView;
import org.chargeedge.api.upstream.UpstreamStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the gateway tells systemd, decided on one thread (the component's {@code chargeedge-systemd}
 * thread calls {@link #tick} every {@link #TICK}; every field is that thread's):
 *
 * <ul>
 * <li>{@code READY=1} once the site is ready ({@link SiteView#readiness}: store, authorization and
 * upstream running) and the OCPP ports answer the probe. A gateway that is still not so after
 * {@code readyTimeout} is reported ready all the same, with what is missing in STATUS and the log:
 * what keeps a site from becoming ready (a part that does not start, its configuration) is not cured
 * by the restart systemd would make when the start times out, again and again.</li>
 * <li>{@code WATCHDOG=1} every ping interval (a third of {@code WatchdogSec}), only when no
 * {@link HealthCheck} found a failure that a restart cures ({@link Finding.Kind#FAILED}).</li>
 * <li>{@code STATUS=} a short line whenever it changes: ready or not, chargers connected, the
 * upstream link, and every problem found.</li>
 * </ul>
 */
final class Watchdog {

    /** How often {@link #tick} is called. */
    static final Duration TICK = Duration.ofMillis(250);
    private static final Duration STATUS_INTERVAL = Duration.ofSeconds(10);
    private static final int MAX_STATUS = 400;
    private static final Logger LOG = LoggerFactory.getLogger(Watchdog.class);

    /**
     * @param pingInterval how often to send WATCHDOG=1; null when systemd watches nothing
     * @param readyTimeout after how long READY=1 is sent even though the site is not ready
     */
    record Settings(Duration pingInterval, Duration readyTimeout) {
    }

    private final NotifySocket notify;
    private final Settings settings;
    private final OcppCheck ocpp;
    private final List<HealthCheck> checks;
    private final Supplier<SiteView> site;
    private final Supplier<UpstreamStatus> upstream;
    private final long started;

    private boolean readySent;
    private long lastCheck;
    private String lastStatus;
    private String lastFailure;
    private String lastDegraded;
    private long pings;

    Watchdog(NotifySocket notify, Settings settings, OcppCheck ocpp, List<HealthCheck> otherChecks,
             Supplier<SiteView> site, Supplier<UpstreamStatus> upstream, long startedNanos) {
        this.notify = notify;
        this.settings = settings;
        this.ocpp = ocpp;
        List<HealthCheck> all = new ArrayList<>();
        all.add(ocpp);
        all.addAll(otherChecks);
        this.checks = List.copyOf(all);
        this.site = site;
        this.upstream = upstream;
        this.started = startedNanos;
    }

    void tick(long now) {
        if (!readySent) {
            SiteReadiness readiness = readiness();
            boolean timedOut = now - started >= settings.readyTimeout().toNanos();
            if (!readiness.ready() && !timedOut) {
                status(readiness, List.of());
                return;
            }
            List<Finding> findings = runChecks(now);
            boolean serving = findings.get(0).kind() == Finding.Kind.OK;
            if (readiness.ready() && serving) {
                LOG.info("Told systemd the gateway is ready: site ready ({}), OCPP ports answer",
                        String.join(", ", readiness.required()));
            } else if (timedOut) {
                LOG.warn("Told systemd the gateway is up after {} s though {}: a restart would not cure that, so"
                        + " the service is not restarted for it; see the log above", settings.readyTimeout().toSeconds(),
                        problems(readiness, findings));
            } else {
                status(readiness, findings);
                return;
            }
            readySent = true;
            lastStatus = statusLine(readiness, findings);
            notify.send("READY=1\nSTATUS=" + lastStatus);
            lastCheck = now;
            return;
        }
        Duration interval = settings.pingInterval() == null ? STATUS_INTERVAL : settings.pingInterval();
        if (now - lastCheck < interval.toNanos()) {
            return;
        }
        lastCheck = now;
        List<Finding> findings = runChecks(now);
        SiteReadiness readiness = readiness();
        List<String> failed = texts(findings, Finding.Kind.FAILED);
        List<String> degraded = texts(findings, Finding.Kind.DEGRADED);
        logChanges(failed, degraded);
        if (settings.pingInterval() != null && failed.isEmpty()) {
            pings++;
            String line = statusLine(readiness, findings);
            if (line.equals(lastStatus)) {
                notify.send("WATCHDOG=1");
            } else {
                lastStatus = line;
                notify.send("WATCHDOG=1\nSTATUS=" + line);
            }
        } else {
            status(readiness, findings);
        }
    }

    /** WATCHDOG=1 messages sent so far (for the shell). */
    long pings() {
        return pings;
    }

    boolean readySent() {
        return readySent;
    }

    String lastStatus() {
        return lastStatus;
    }

    private List<Finding> runChecks(long now) {
        List<Finding> findings = new ArrayList<>();
        for (HealthCheck check : checks) {
            Finding f;
            try {
                f = check.check(now);
            } catch (RuntimeException e) {
                f = Finding.degraded("a health check failed: " + e);
            }
            findings.add(f);
        }
        return findings;
    }

    private void logChanges(List<String> failed, List<String> degraded) {
        String failure = failed.isEmpty() ? null : String.join("; ", failed);
        if (failure != null && !failure.equals(lastFailure)) {
            LOG.error("Watchdog: not telling systemd the gateway is alive any more: {}. systemd restarts it within"
                    + " WatchdogSec unless it recovers first", failure);
        } else if (failure == null && lastFailure != null) {
            LOG.info("Watchdog: the gateway serves again ({} is over); telling systemd it is alive", lastFailure);
        }
        lastFailure = failure;
        String degradation = degraded.isEmpty() ? null : String.join("; ", degraded);
        if (degradation != null && !degradation.equals(lastDegraded)) {
            LOG.warn("Gateway degraded: {}. A restart would not cure this, so the watchdog goes on", degradation);
        } else if (degradation == null && lastDegraded != null) {
            LOG.info("Gateway no longer degraded ({} is over)", lastDegraded);
        }
        lastDegraded = degradation;
    }

    /** Sends STATUS= when the line changed. */
    private void status(SiteReadiness readiness, List<Finding> findings) {
        String line = statusLine(readiness, findings);
        if (!line.equals(lastStatus)) {
            notify.send("STATUS=" + line);
            lastStatus = line;
        }
    }

    private SiteReadiness readiness() {
        SiteView view = site.get();
        return view == null ? new SiteReadiness(false, List.of("OCPP server"), List.of("OCPP server"), null)
                : view.readiness();
    }

    private static List<String> texts(List<Finding> findings, Finding.Kind kind) {
        return findings.stream().filter(f -> f.kind() == kind).map(Finding::text).toList();
    }

    private static String problems(SiteReadiness readiness, List<Finding> findings) {
        List<String> all = new ArrayList<>();
        if (!readiness.ready()) {
            all.add("the site is not ready (waiting for " + String.join(", ", readiness.missing()) + ")");
        }
        findings.stream().filter(f -> f.kind() != Finding.Kind.OK).map(Finding::text).forEach(all::add);
        return String.join("; ", all);
    }

    /** For example {@code ready; 12 chargers connected; upstream 12/12 links up, 0 queued}. */
    String statusLine(SiteReadiness readiness, List<Finding> findings) {
        StringBuilder line = new StringBuilder();
        line.append(readiness.ready() ? "ready" : "NOT READY, waiting for " + String.join(", ", readiness.missing()));
        line.append("; ").append(ocpp.connections()).append(ocpp.connections() == 1 ? " charger" : " chargers")
                .append(" connected; ");
        UpstreamStatus u = upstream.get();
        if (u == null) {
            line.append("no upstream CSMS");
        } else {
            List<UpstreamStatus.Link> links = u.links();
            long up = links.stream().filter(UpstreamStatus.Link::connected).count();
            int queued = links.stream().mapToInt(UpstreamStatus.Link::queueDepth).sum();
            line.append("upstream ").append(links.isEmpty() ? "no links" : up == links.size() ? "up"
                    : up == 0 ? "down" : up + "/" + links.size() + " links up").append(", ").append(queued)
                    .append(" queued");
        }
        for (Finding f : findings) {
            if (f.kind() != Finding.Kind.OK) {
                line.append("; ").append(f.kind() == Finding.Kind.FAILED ? "FAILED: " : "").append(f.text());
            }
        }
        return line.length() <= MAX_STATUS ? line.toString() : line.substring(0, MAX_STATUS - 3) + "...";
    }
}
