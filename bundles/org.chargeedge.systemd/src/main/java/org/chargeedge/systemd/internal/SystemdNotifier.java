package org.chargeedge.systemd.internal;

import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.chargeedge.api.charger.OcppServerHealth;
import org.chargeedge.api.charger.SiteView;
import org.chargeedge.api.store.SiteStore;
import org.chargeedge.api.upstream.UpstreamStatus;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway as a systemd {@code Type=notify} service: reads {@code NOTIFY_SOCKET},
 * {@code WATCHDOG_USEC} and {@code WATCHDOG_PID} from the environment systemd gives the process,
 * runs the {@link Watchdog} on its own thread ({@code chargeedge-systemd}), and sends
 * {@code STOPPING=1} the moment the framework begins to stop. Without {@code NOTIFY_SOCKET} (not
 * started by systemd) it does nothing.
 *
 * <p>Threads: DS sets the service references (volatile fields, read by the watchdog thread);
 * the watchdog thread owns the {@link Watchdog}; {@code STOPPING=1} is sent by the thread that stops
 * the framework, through the synchronized {@link NotifySocket}.
 */
@Component(configurationPid = SystemdNotifier.PID, immediate = true, service = {})
@Designate(ocd = Config.class)
public class SystemdNotifier {

    static final String PID = "org.chargeedge.systemd";
    /** Set to {@code on} (never in the shipped unit) to offer the diagnostic {@code chargeedge:stallocpp}. */
    static final String DIAGNOSTICS_VARIABLE = "CHARGEEDGE_DIAGNOSTICS";
    private static final Logger LOG = LoggerFactory.getLogger(SystemdNotifier.class);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile OcppServerHealth ocpp;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile SiteView site;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile SiteStore store;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile UpstreamStatus upstream;

    private NotifySocket notify;
    private ScheduledExecutorService thread;
    private SynchronousBundleListener stopping;
    private BundleContext context;
    private ServiceRegistration<?> diagnostics;

    @Activate
    void activate(Config config, BundleContext context) {
        this.context = context;
        Map<String, String> env = System.getenv();
        if ("on".equals(env.get(DIAGNOSTICS_VARIABLE))) {
            Dictionary<String, Object> props = new Hashtable<>();
            props.put("osgi.command.scope", "chargeedge");
            props.put("osgi.command.function", new String[] {"stallocpp"});
            diagnostics = context.registerService(Diagnostics.class, new Diagnostics(), props);
            LOG.warn("{}=on: the diagnostic chargeedge:stallocpp (freezes the OCPP server's I/O threads) is"
                    + " available. Never set it in service", DIAGNOSTICS_VARIABLE);
        }
        String address = env.get("NOTIFY_SOCKET");
        if (address == null || address.isBlank()) {
            LOG.debug("No NOTIFY_SOCKET: not started by systemd as a notify service; nothing to tell");
            return;
        }
        Duration ping = pingInterval(env.get("WATCHDOG_USEC"), env.get("WATCHDOG_PID"));
        Duration probeTimeout = Duration.ofSeconds(config.probeTimeoutSeconds());
        if (ping != null && probeTimeout.compareTo(ping.dividedBy(2)) > 0) {
            probeTimeout = ping.dividedBy(2);
        }
        notify = new NotifySocket(address);
        Watchdog watchdog = new Watchdog(notify,
                new Watchdog.Settings(ping, Duration.ofSeconds(config.readyTimeoutSeconds())),
                new OcppCheck(() -> ocpp, probeTimeout),
                List.of(new StoreCheck(() -> store, Duration.ofSeconds(config.storeStuckSeconds()))),
                () -> site, () -> upstream, System.nanoTime());
        stopping = event -> {
            if (event.getType() == BundleEvent.STOPPING && event.getBundle().getBundleId() == 0) {
                notify.send("STOPPING=1\nSTATUS=stopping: closing the chargers' connections");
            }
        };
        context.addBundleListener(stopping);
        thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "chargeedge-systemd");
            t.setDaemon(true);
            return t;
        });
        thread.scheduleWithFixedDelay(() -> {
            try {
                watchdog.tick(System.nanoTime());
            } catch (RuntimeException e) {
                LOG.error("systemd notification failed", e);
            }
        }, 0, Watchdog.TICK.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("systemd notify service (NOTIFY_SOCKET {}): READY=1 when the site is ready, {}", address,
                ping == null ? "no watchdog (WatchdogSec not set)"
                        : "WATCHDOG=1 every " + ping.toMillis() + " ms while the gateway serves");
    }

    /**
     * A third of {@code WatchdogSec}, so that a ping missed to a slow check still leaves two; null
     * when systemd watches nothing or another process ({@code WATCHDOG_PID}).
     */
    static Duration pingInterval(String watchdogUsec, String watchdogPid) {
        if (watchdogUsec == null || watchdogUsec.isBlank()) {
            return null;
        }
        if (watchdogPid != null && !watchdogPid.isBlank()
                && !watchdogPid.trim().equals(Long.toString(ProcessHandle.current().pid()))) {
            return null;
        }
        try {
            long usec = Long.parseLong(watchdogUsec.trim());
            return usec <= 0 ? null : Duration.ofNanos(usec * 1_000 / 3);
        } catch (NumberFormatException e) {
            LOG.warn("WATCHDOG_USEC={} is not a number; no watchdog", watchdogUsec);
            return null;
        }
    }

    @Deactivate
    void deactivate() {
        if (diagnostics != null) {
            diagnostics.unregister();
        }
        if (thread == null) {
            return;
        }
        context.removeBundleListener(stopping);
        thread.shutdownNow();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        notify.close();
    }
}
