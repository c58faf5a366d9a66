package org.chargeedge.centralsystem.internal;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import org.chargeedge.api.charger.CallRejectedException;
import org.chargeedge.api.charger.ChargerCallException;
import org.chargeedge.api.charger.ChargerCallException.Reason;
import org.chargeedge.api.charger.ChargerCallHandler;
import org.chargeedge.api.charger.ChargerCommands;
import org.chargeedge.api.charger.ChargerInfo;
import org.chargeedge.api.charger.SiteReadiness;
import org.chargeedge.api.charger.SiteView;
import org.chargeedge.api.charger.TransactionInfo;
import org.chargeedge.api.store.SiteStore;
import org.chargeedge.api.upstream.UpstreamStatus;
import org.chargeedge.ocpp.rpc.ErrorCode;
import org.chargeedge.ocpp.rpc.OcppJsonCodec;
import org.chargeedge.ocpp.v16.Action;
import org.chargeedge.ocpp.v16.Confirmation;
import org.chargeedge.ocpp.v16.Request;
import org.java_websocket.WebSocket;
import org.java_websocket.exceptions.WebsocketNotConnectedException;
import org.java_websocket.framing.CloseFrame;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local OCPP 1.6J central system: a WebSocket server for the site's
 * chargers, the {@link ChargerCommands} to call them and the {@link SiteView}
 * of their state. Incoming calls go through the {@link ChargerCallHandler}
 * whiteboard, then the built-in answers.
 *
 * <p>Readiness: with {@code requiredParts} configured, chargers connect as soon
 * as the port is open, but their calls wait until a handler of every required
 * site part is registered (see {@link CallDispatcher} and
 * {@link HandlerRegistry}); {@link #readiness()} says where the site stands.
 */
@Component(configurationPid = CentralSystem.PID, service = {ChargerCommands.class, SiteView.class}, immediate = true)
@Designate(ocd = Config.class)
public class CentralSystem implements ChargerCommands, SiteView, OcppWebSocketServer.Listener {

    static final String PID = "org.chargeedge.centralsystem";
    static final String DATA_DIR_PROPERTY = "chargeedge.data.dir";
    private static final Logger LOG = LoggerFactory.getLogger(CentralSystem.class);
    private static final int TRANSACTION_ID_BLOCK = 1000;
    private static final java.util.Set<Action> TRANSACTION_ACTIONS =
            java.util.EnumSet.of(Action.StartTransaction, Action.MeterValues, Action.StopTransaction);
    private static final int STOP_TIMEOUT_MS = 5000;
    private static final long WRITE_REPAIR_MS = 10;

    private final Clock clock = Clock.systemUTC();
    private final OcppJsonCodec codec = new OcppJsonCodec();
    private final HandlerRegistry handlers = new HandlerRegistry();
    private final SiteState site = new SiteState(this::postEvent);
    private final AtomicReference<EventAdmin> eventAdmin = new AtomicReference<>();

    /**
     * Open sessions by charge point id. Written by the WebSocket worker threads
     * when connections open and close, read by callers of ChargerCommands on any
     * thread: a ConcurrentHashMap, with remove(key, value) so a replaced session
     * never removes its successor.
     */
    private final ConcurrentHashMap<String, ChargerSession> sessions = new ConcurrentHashMap<>();

    private final AtomicReference<SiteStore> store = new AtomicReference<>();
    private final AtomicReference<UpstreamStatus> upstream = new AtomicReference<>();
    private volatile TransactionIdIssuer transactionIds;
    private ScheduledThreadPoolExecutor timer;
    private CallDispatcher dispatcher;
    private OcppWebSocketServer server;
    private Config config;

    @Activate
    void activate(Config config, BundleContext context) throws Exception {
        // The gateway's data directory outlives a reinstallation of this bundle; the bundle's own data
        // area is the fallback for runtimes without one.
        String dataDir = context.getProperty(DATA_DIR_PROPERTY);
        Bundle framework = context.getBundle(Constants.SYSTEM_BUNDLE_ID);
        start(config, dataDir != null ? java.nio.file.Path.of(dataDir, "centralsystem")
                : context.getDataFile("").toPath(), () -> framework.getState() == Bundle.STOPPING);
    }

    /** Starts on {@code dataDir}; the bundle's data area in the framework, a folder of their own in tests. */
    void start(Config config, java.nio.file.Path dataDir) throws Exception {
        start(config, dataDir, () -> false);
    }

    /** {@code frameworkStopping}: while true, site parts going away are expected and not warned about. */
    private void start(Config config, java.nio.file.Path dataDir, BooleanSupplier frameworkStopping)
            throws Exception {
        this.config = config;
        timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "chargeedge-ocpp-timer");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        transactionIds = new TransactionIdIssuer(dataDir.resolve("transaction-ids"), TRANSACTION_ID_BLOCK);
        SiteStore s = store.get();
        if (s != null) {
            transactionIds.advancePast(s.highestTransactionId());
        }
        BuiltInCentralSystem builtIn = new BuiltInCentralSystem(clock, config.heartbeatInterval(),
                config.authorizationPolicy(), config.acceptedIdTags(), transactionIds, site::openTransactionStartedBy);
        // With the store a required site part, readiness already makes every chain that reaches here pass
        // the store's handler; the service binding can lag behind the handler's registration, so checking
        // it too would refuse calls the store has just kept.
        boolean checkStore = config.requireStore() && !requiredParts(config.requiredParts()).contains("store");
        CallDispatcher.Terminal terminal = checkStore ? (context, request) -> {
            if (TRANSACTION_ACTIONS.contains(request.action()) && store.get() == null) {
                // The store's handler would have answered before reaching here; without it nothing is kept.
                throw new CallRejectedException(ErrorCode.InternalError,
                        "the gateway's store is not running; " + request.action() + " cannot be kept now");
            }
            return builtIn.handle(context, request);
        } : builtIn;
        Duration readinessTimeout = Duration.ofSeconds(Math.max(1, config.readinessTimeoutSeconds()));
        dispatcher = new CallDispatcher(codec, handlers, terminal, site, timer,
                Duration.ofSeconds(config.handlerTimeout()), readinessTimeout);
        // Before the port opens: a charger's first call already waits for the required parts.
        handlers.require(requiredParts(config.requiredParts()), readinessTimeout, timer, frameworkStopping);
        ChargePointIds ids = new ChargePointIds(config.pathPrefix(), config.maxChargePointIdLength(),
                config.chargePointIds());
        int ioThreads = config.ioThreads() > 0 ? config.ioThreads() : Runtime.getRuntime().availableProcessors();
        server = new OcppWebSocketServer(new InetSocketAddress(config.host(), config.port()), ioThreads,
                config.maxMessageSize(), ids, this);
        server.setConnectionLostTimeout(config.pingInterval());
        server.setMaxPendingConnections(config.acceptBacklog());
        server.start();
        try {
            server.started().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            LOG.error("OCPP server cannot listen on {}:{}: {}", config.host(), config.port(), cause.toString());
            handlers.stop();
            stopServer();
            throw new IllegalStateException("cannot listen on " + config.host() + ":" + config.port(), cause);
        }
        timer.scheduleWithFixedDelay(server::repairStalledWrites, WRITE_REPAIR_MS, WRITE_REPAIR_MS,
                TimeUnit.MILLISECONDS);
        LOG.info("OCPP 1.6J central system listening on ws://{}:{}{}{chargePointId}", config.host(),
                server.getPort(), config.pathPrefix());
    }

    /** "store, authorization, upstream" as names in order, each once. */
    static List<String> requiredParts(String setting) {
        if (setting == null) {
            return List.of();
        }
        return java.util.Arrays.stream(setting.split(",")).map(String::trim).filter(p -> !p.isEmpty()).distinct()
                .toList();
    }

    @Deactivate
    void deactivate() {
        handlers.stop();
        // Fail what waits for chargers with SHUTDOWN first, then close the connections.
        sessions.values().forEach(s -> s.closed(Reason.SHUTDOWN));
        stopServer();
        sessions.clear();
        LOG.info("OCPP central system stopped");
    }

    private void stopServer() {
        try {
            // Close every connection with 1001 (going away) and wait for the close handshakes while the
            // server still runs: Java-WebSocket's stop() can end its selector thread before the close
            // frames it queued are written, and a charger would then see 1006 instead of 1001.
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_TIMEOUT_MS);
            server.getConnections().forEach(c -> c.close(CloseFrame.GOING_AWAY, "gateway shutting down"));
            while (!server.getConnections().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            server.stop(STOP_TIMEOUT_MS, "gateway shutting down");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        timer.shutdownNow();
    }

    /** The call handlers and the site's readiness; for tests. */
    HandlerRegistry handlerRegistry() {
        return handlers;
    }

    /** The port actually bound (differs from the configuration when that says 0). */
    int port() {
        return server.getPort();
    }

    // ---- whiteboard and events --------------------------------------------------------------

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addHandler(ChargerCallHandler handler, Map<String, Object> properties) {
        handlers.add(handler, properties);
    }

    void removeHandler(ChargerCallHandler handler) {
        handlers.remove(handler);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void setEventAdmin(EventAdmin eventAdmin) {
        this.eventAdmin.set(eventAdmin);
    }

    void unsetEventAdmin(EventAdmin eventAdmin) {
        // A replacement may be bound before the old one is unbound: only clear our own.
        this.eventAdmin.compareAndSet(eventAdmin, null);
    }

    private void postEvent(String topic, Map<String, Object> properties) {
        EventAdmin admin = eventAdmin.get();
        if (admin != null) {
            admin.postEvent(new Event(topic, properties));
        }
    }

    /** With an upstream link running, the site view shows each charger's link (queue, outage, failures). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void setUpstreamStatus(UpstreamStatus status) {
        this.upstream.set(status);
    }

    void unsetUpstreamStatus(UpstreamStatus status) {
        this.upstream.compareAndSet(status, null);
    }

    /** The charger with its upstream link's state, when there is an upstream link. */
    private ChargerInfo withUpstream(ChargerInfo info) {
        UpstreamStatus status = upstream.get();
        if (status == null) {
            return info;
        }
        try {
            return status.link(info.chargePointId()).map(info::withUpstream).orElse(info);
        } catch (RuntimeException e) {
            // The view of the chargers must not fail because the upstream status cannot be read (store failing).
            LOG.debug("{}: upstream status not available: {}", info.chargePointId(), e.toString());
            return info;
        }
    }

    /** With a store present, ids it has seen are never issued again, and open transactions survive restarts. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void setSiteStore(SiteStore store) {
        this.store.set(store);
        TransactionIdIssuer ids = transactionIds;
        if (ids != null) {
            ids.advancePast(store.highestTransactionId());
        }
    }

    void unsetSiteStore(SiteStore store) {
        this.store.compareAndSet(store, null);
    }

    private List<TransactionInfo> storedOpenTransactions(String chargePointId) {
        SiteStore s = store.get();
        if (s == null) {
            return List.of();
        }
        try {
            return s.openTransactions(chargePointId).stream()
                    .map(t -> new TransactionInfo(t.transactionId(), t.connectorId(), t.idTag(),
                            t.meterStart() == null ? 0 : t.meterStart(), t.startedAt(), null))
                    .toList();
        } catch (RuntimeException e) {
            LOG.warn("{}: cannot read open transactions from the store: {}", chargePointId, e.toString());
            return List.of();
        }
    }

    // ---- connections ------------------------------------------------------------------------

    @Override
    public void opened(WebSocket connection, String chargePointId) {
        ChargerSession session = new ChargerSession(chargePointId, new Transport(connection), codec, dispatcher,
                site, timer, clock, Duration.ofSeconds(config.callTimeout()), config.maxQueuedCalls());
        connection.setAttachment(session);
        ChargerSession previous = sessions.put(chargePointId, session);
        if (previous != null) {
            LOG.warn("{}: new connection from {} replaces the one from {}", chargePointId,
                    session.transport().remoteAddress(), previous.transport().remoteAddress());
            previous.closed(Reason.CONNECTION_LOST);
            previous.transport().close(CloseFrame.NORMAL, "replaced by a new connection of " + chargePointId);
        }
        LOG.info("{}: connected from {}", chargePointId, session.transport().remoteAddress());
        site.connected(chargePointId, session.transport().remoteAddress(), session.connectedAt(),
                this::storedOpenTransactions);
    }

    @Override
    public void text(WebSocket connection, String text) {
        ChargerSession session = connection.getAttachment();
        if (session != null) {
            session.onText(text);
        }
    }

    @Override
    public void pong(WebSocket connection) {
        ChargerSession session = connection.getAttachment();
        if (session != null) {
            site.seen(session.chargePointId(), clock.instant());
        }
    }

    @Override
    public void closed(WebSocket connection, int code, String reason, boolean remote) {
        ChargerSession session = connection.getAttachment();
        if (session == null) {
            return;
        }
        session.closed(Reason.CONNECTION_LOST);
        if (sessions.remove(session.chargePointId(), session)) {
            LOG.info("{}: disconnected ({} {}{})", session.chargePointId(), code, reason,
                    remote ? "" : ", closed by the gateway");
            site.disconnected(session.chargePointId(), clock.instant());
        }
    }

    private static final class Transport implements ChargerSession.Transport {
        private final WebSocket connection;
        private final String remoteAddress;

        Transport(WebSocket connection) {
            this.connection = connection;
            InetSocketAddress remote = connection.getRemoteSocketAddress();
            this.remoteAddress = remote == null ? "?" : remote.getAddress().getHostAddress() + ":" + remote.getPort();
        }

        @Override
        public boolean send(String text) {
            try {
                connection.send(text);
                return true;
            } catch (WebsocketNotConnectedException e) {
                return false;
            }
        }

        @Override
        public void close(int code, String reason) {
            connection.close(code, reason);
        }

        @Override
        public String remoteAddress() {
            return remoteAddress;
        }
    }

    // ---- services ---------------------------------------------------------------------------

    @Override
    public <C extends Confirmation> CompletionStage<C> call(String chargePointId, Request<C> request) {
        if (!request.action().initiator().centralSystem()) {
            throw new IllegalArgumentException(request.action() + " is sent by charge points, not to them");
        }
        ChargerSession session = sessions.get(chargePointId);
        if (session == null) {
            return CompletableFuture.failedFuture(new ChargerCallException(chargePointId, Reason.NOT_CONNECTED,
                    null, chargePointId + " is not connected"));
        }
        return session.call(request);
    }

    @Override
    public List<ChargerInfo> chargers() {
        List<ChargerInfo> all = site.chargers();
        return upstream.get() == null ? all : all.stream().map(this::withUpstream).toList();
    }

    @Override
    public Optional<ChargerInfo> charger(String chargePointId) {
        return site.charger(chargePointId).map(this::withUpstream);
    }

    @Override
    public SiteReadiness readiness() {
        return handlers.snapshot().readiness();
    }
}
