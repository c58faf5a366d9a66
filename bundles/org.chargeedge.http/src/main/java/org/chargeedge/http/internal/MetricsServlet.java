package org.chargeedge.http.internal;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.chargeedge.api.charger.CallStatistics;
import org.chargeedge.api.charger.ChargerInfo;
import org.chargeedge.api.charger.ConnectorInfo;
import org.chargeedge.api.mqtt.MqttStatus;
import org.chargeedge.api.store.StoreHealth;
import org.chargeedge.api.store.StoreStatistics;
import org.chargeedge.api.upstream.UpstreamStatus;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code GET /metrics} in the Prometheus text format (viewer role: Prometheus
 * sends an API token with {@code authorization: {credentials: TOKEN}}).
 *
 * <p>The site's figures are read from the services at scrape time (one
 * {@link MultiCollector}), so they are never stale and nothing runs between
 * scrapes. Labels are bounded: connector status (the ten OCPP states) and
 * refusal reasons (the server's fixed set of reasons), never a charge point id.
 * JVM memory and threads come from Prometheus' JVM instrumentation.
 *
 * <p>Threads: the registry is Prometheus' (thread-safe); scrapes run on HTTP threads.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/metrics")
public class MetricsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final transient PrometheusRegistry registry = new PrometheusRegistry();
    private final transient PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    @Activate
    public MetricsServlet(@Reference SiteServices site) {
        registry.register(new SiteCollector(site));
        JvmMemoryMetrics.builder().register(registry);
        JvmThreadsMetrics.builder().register(registry);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setStatus(200);
        response.setContentType(writer.getContentType());
        response.setHeader("Cache-Control", "no-store");
        writer.write(response.getOutputStream(), registry.scrape());
    }

    /** The site's gauges, from the services as they are now. */
    static final class SiteCollector implements MultiCollector {
        private final SiteServices site;

        SiteCollector(SiteServices site) {
            this.site = site;
        }

        @Override
        public MetricSnapshots collect() {
            MetricSnapshots.Builder out = MetricSnapshots.builder();
            List<ChargerInfo> chargers = site.siteView().chargers();
            out.metricSnapshot(gauge("chargeedge_chargers_known", "Chargers seen since the gateway started",
                    chargers.size()));
            out.metricSnapshot(gauge("chargeedge_chargers_connected", "Chargers with an open OCPP connection",
                    chargers.stream().filter(ChargerInfo::connected).count()));
            out.metricSnapshot(gauge("chargeedge_chargers_never_booted",
                    "Connected chargers that sent no BootNotification",
                    chargers.stream().filter(c -> c.connected() && c.boot() == null).count()));
            out.metricSnapshot(gauge("chargeedge_transactions_open", "Transactions started and not stopped",
                    chargers.stream().mapToInt(c -> c.openTransactions().size()).sum()));
            GaugeSnapshot.Builder connectors = GaugeSnapshot.builder().name("chargeedge_connectors")
                    .help("Connectors (not connector 0) of connected chargers by their last status");
            chargers.stream().filter(ChargerInfo::connected).flatMap(c -> c.connectors().stream())
                    .filter(k -> k.connectorId() > 0)
                    .collect(java.util.stream.Collectors.groupingBy(MetricsServlet::statusLabel,
                            java.util.TreeMap::new, java.util.stream.Collectors.counting()))
                    .forEach((status, n) -> connectors.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                            .labels(Labels.of("status", status)).value(n).build()));
            out.metricSnapshot(connectors.build());
            boolean ready = site.siteView().readiness().ready();
            out.metricSnapshot(gauge("chargeedge_site_ready",
                    "1 when every required site part (store, authorization, upstream) runs", ready ? 1 : 0));
            site.access().ifPresent(a -> {
                GaugeSnapshot.Builder refusals = GaugeSnapshot.builder().name("chargeedge_handshake_refusals")
                        .help("Refused OCPP connections among the recent refusals the server keeps, by reason");
                a.recentRefusals().stream().collect(java.util.stream.Collectors.groupingBy(r -> r.reason(),
                                java.util.TreeMap::new, java.util.stream.Collectors.summingLong(r -> r.count())))
                        .forEach((reason, n) -> refusals.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                                .labels(Labels.of("reason", reason)).value(n).build()));
                out.metricSnapshot(refusals.build());
                out.metricSnapshot(gauge("chargeedge_chargers_waiting", "Unknown chargers waiting to be accepted",
                        a.waitingChargers().size()));
            });
            site.upstream().ifPresent(u -> {
                List<UpstreamStatus.Link> links = u.links();
                Instant now = Instant.now();
                out.metricSnapshot(gauge("chargeedge_upstream_links", "Upstream links to the CSMS", links.size()));
                out.metricSnapshot(gauge("chargeedge_upstream_links_up", "Upstream links connected to the CSMS",
                        links.stream().filter(UpstreamStatus.Link::connected).count()));
                out.metricSnapshot(gauge("chargeedge_upstream_queued_messages",
                        "Transaction messages waiting to go to the CSMS",
                        links.stream().mapToInt(UpstreamStatus.Link::queueDepth).sum()));
                out.metricSnapshot(gauge("chargeedge_upstream_parked_messages",
                        "Messages the CSMS refused for good, parked for an operator",
                        links.stream().mapToInt(UpstreamStatus.Link::failed).sum()));
                out.metricSnapshot(gauge("chargeedge_upstream_oldest_queued_age_seconds",
                        "Age of the oldest message waiting to go to the CSMS",
                        links.stream().map(UpstreamStatus.Link::oldestQueued).filter(java.util.Objects::nonNull)
                                .mapToDouble(t -> Math.max(0, Duration.between(t, now).toMillis() / 1000.0))
                                .max().orElse(0)));
            });
            site.store().ifPresent(s -> {
                StoreHealth h = s.health();
                out.metricSnapshot(gauge("chargeedge_store_ok", "1 while the store keeps what it is given",
                        h.ok() ? 1 : 0));
                out.metricSnapshot(gauge("chargeedge_store_size_bytes", "Size of the store's database files",
                        h.sizeBytes()));
                StoreStatistics statistics = s.statistics();
                out.metricSnapshot(storeCommits(statistics));
                out.metricSnapshot(counter("chargeedge_store_failed_commits",
                        "Store write transactions that failed and were rolled back (disk full, I/O errors)",
                        statistics.failedCommits()));
            });
            site.calls().ifPresent(c -> out.metricSnapshot(calls(c.calls())));
            site.mqtt().map(MqttStatus::connection).filter(MqttStatus.Connection::configured)
                    .ifPresent(m -> mqtt(m).forEach(out::metricSnapshot));
            site.energy().ifPresent(e -> out.metricSnapshot(gauge("chargeedge_energy_fresh_measurements",
                    "Energy measurements (grid, PV, battery, ...) fresh now", e.snapshot().measurements().size())));
            return out.build();
        }
    }

    /**
     * The broker connection and each energy input (labelled by its configuration name: as many as the site has
     * devices, so the cardinality stays bounded). Only with a broker configured.
     */
    static List<MetricSnapshot> mqtt(MqttStatus.Connection m) {
        GaugeSnapshot.Builder stale = GaugeSnapshot.builder().name("chargeedge_mqtt_input_stale")
                .help("1 while an energy input's values are unknown: no message within its staleAfter, none yet, "
                        + "or its configuration is wrong");
        for (MqttStatus.Input i : m.inputs()) {
            stale.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(Labels.of("input", i.name()))
                    .value(i.stale() || i.problem() != null ? 1 : 0).build());
        }
        return List.of(gauge("chargeedge_mqtt_connected", "1 while the MQTT broker connection is up",
                        m.connected() ? 1 : 0),
                counter("chargeedge_mqtt_messages_received", "MQTT messages received since the start",
                        m.received()),
                stale.build());
    }

    /**
     * {@code chargeedge_ocpp_calls_seconds}: the chargers' calls by action and outcome, as a classic
     * histogram of their latency (its {@code _count} is the number of calls).
     */
    static HistogramSnapshot calls(List<CallStatistics.Calls> calls) {
        double[] bounds = upperBounds(CallStatistics.LATENCY_BOUNDS);
        HistogramSnapshot.Builder histogram = HistogramSnapshot.builder().name("chargeedge_ocpp_calls_seconds")
                .help("Calls from chargers by action and outcome (CallResult or the CALLERROR code), from the frame's"
                        + " arrival to its answer");
        for (CallStatistics.Calls c : calls) {
            long[] counts = c.buckets().stream().mapToLong(Long::longValue).toArray();
            histogram.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                    .labels(Labels.of("action", c.action(), "outcome", c.outcome()))
                    .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts))
                    .sum(c.latencySecondsSum()).build());
        }
        return histogram.build();
    }

    /**
     * {@code chargeedge_store_commit_seconds}: the store's group commits (one write transaction each, the
     * sync to disk included) as a classic histogram of their duration.
     */
    static HistogramSnapshot storeCommits(StoreStatistics statistics) {
        return HistogramSnapshot.builder().name("chargeedge_store_commit_seconds")
                .help("Commits of the store (one write transaction of many writes, the sync to disk included)")
                .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                        .classicHistogramBuckets(ClassicHistogramBuckets.of(upperBounds(StoreStatistics.COMMIT_BOUNDS),
                                statistics.buckets().stream().mapToLong(Long::longValue).toArray()))
                        .sum(statistics.commitSecondsSum()).build())
                .build();
    }

    /** The buckets' upper bounds for Prometheus: the given ones, then +Inf for the last bucket. */
    private static double[] upperBounds(List<Double> given) {
        double[] bounds = new double[given.size() + 1];
        for (int i = 0; i < given.size(); i++) {
            bounds[i] = given.get(i);
        }
        bounds[given.size()] = Double.POSITIVE_INFINITY;
        return bounds;
    }

    private static CounterSnapshot counter(String name, String help, double value) {
        return CounterSnapshot.builder().name(name).help(help)
                .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(value).build()).build();
    }

    static String statusLabel(ConnectorInfo k) {
        return k.status() == null ? "Unknown" : k.status().value();
    }

    private static GaugeSnapshot gauge(String name, String help, double value) {
        return GaugeSnapshot.builder().name(name).help(help)
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(value).build()).build();
    }
}
