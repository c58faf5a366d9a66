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
import org.chargeedge.api.charger.CallStatistics;
import org.chargeedge.api.charger.ChargerAccess;
import org.chargeedge.api.charger.ChargerCallException;
import org.chargeedge.api.charger.ChargerCallException.Reason;
import org.chargeedge.api.charger.ChargerCallHandler;
import org.chargeedge.api.charger.ChargerCommands;
import org.chargeedge.api.charger.ChargerDiagnostics;
import org.chargeedge.api.charger.ChargerInfo;
import org.chargeedge.api.charger.OcppServerHealth;
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
@Component(configurationPid = CentralSystem.PID,
        service = {ChargerCommands.class, SiteView.class, ChargerAccess.class, OcppServerHealth.class,
                CallStatistics.class},
        immediate = true)
@Designate(ocd = Config.class)
public class CentralSystem implements ChargerCommands, SiteView, ChargerAccess, OcppServerHealth,
        CallStatistics, ChargerServer.Listener {

    static final String PID = "org.chargeedge.centralsystem";
    static final String DATA_DIR_PROPERTY = "chargeedge.data.dir";
    private static final Logger LOG = LoggerFactory.getLogger(CentralSystem.class);
    private static final int TRANSACTION_ID_BLOCK = 1000;
    private static final java.util.Set<Action> TRANSACTION_ACTIONS =
            java.util.EnumSet.of(Action.StartTransaction, Action.MeterValues, Action.StopTransaction);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);
    /** Password checks queued for addresses with no recent failed login, and for the others. */
    private static final int AUTH_QUEUE = 256;
    private static final int AUTH_QUEUE_SUSPECT = 32;

    private final Clock clock = Clock.systemUTC();
    private final OcppJsonCodec codec = new OcppJsonCodec();
    private final HandlerRegistry handlers = new HandlerRegistry();
    private final SiteState site = new SiteState(this::postEvent);
    private final InstallerDiagnostics diagnostics = new InstallerDiagnostics(clock);
    private final AtomicReference<EventAdmin> eventAdmin = new AtomicReference<>();
    /** Chargers' protocol mistakes in the log: once per charger, kind and minute. */
    private final LogLimiter chargerMistakes = LogLimiter.perMinute();

    /**
     * Open sessions by charge point id. Written by the WebSocket worker threads
     * when connections open and close, read by callers of ChargerCommands on any
     * thread: a ConcurrentHashMap, with remove(key, value) so a replaced session
     * never removes its successor.
     */
    private final ConcurrentHashMap<String, ChargerSession> sessions = new ConcurrentHashMap<>();

    static final int REMEMBERED_UNKNOWN = 256;
    /** Unknown ids that disconnected, oldest first; see {@link #rememberGone}. */
    private final java.util.LinkedHashSet<String> goneUnknown = new java.util.LinkedHashSet<>();

    private final AtomicReference<SiteStore> store = new AtomicReference<>();
    private final AtomicReference<UpstreamStatus> upstream = new AtomicReference<>();
    private volatile TransactionIdIssuer transactionIds;
    private ScheduledThreadPoolExecutor timer;
    private CallDispatcher dispatcher;
    private ChargerServer server;
    private AccessControl access;
    private PasswordChecks passwordChecks;
    private Config config;
    /** Index of the plain and the TLS port in the server's list, -1 when not listening. */
    private int plainIndex = -1;
    private int tlsIndex = -1;

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
        CallDispatcher.Observer observer = (context, request, confirmation) -> {
            site.answered(context, request, confirmation);
            if (request.action() == Action.BootNotification) {
                diagnostics.booted(context.chargePointId());
            }
        };
        dispatcher = new CallDispatcher(codec, handlers, terminal, observer, timer,
                Duration.ofSeconds(config.handlerTimeout()), readinessTimeout);
        // Before the port opens: a charger's first call already waits for the required parts.
        handlers.require(requiredParts(config.requiredParts()), readinessTimeout, timer, frameworkStopping);
        ChargePointIds ids = new ChargePointIds(config.pathPrefix(), config.maxChargePointIdLength());
        ServerTls tls = config.tlsPort() > 0 || !config.tlsCertificateFile().isBlank()
                ? new ServerTls(config.tlsCertificateFile(), config.tlsKeyFile(), config.chargerCaFile()) : null;
        // A check still queued at half the handshake timeout is answered "busy": every handshake gets an answer.
        passwordChecks = new PasswordChecks(AUTH_QUEUE, AUTH_QUEUE_SUSPECT,
                Duration.ofSeconds(config.handshakeTimeoutSeconds()).dividedBy(2));
        access = new AccessControl(new AccessControl.Settings(config.securityProfile(),
                config.unknownChargers() == UnknownChargers.Open, ChargePointIds.csv(config.chargePointIds()),
                profiles(config.chargerProfiles()), pairs(config.chargerKeyHashes(), "chargerKeyHashes"),
                config.chargerCertificateOrganization().trim(), tls != null,
                tls != null && tls.checksClientCertificates()),
                ids, dataDir.resolve("chargers.json"), new Passwords(), passwordChecks, new OpenSessions(), this, clock);
        int ioThreads = config.ioThreads() > 0 ? config.ioThreads() : Runtime.getRuntime().availableProcessors();
        ChargerServer.Limits limits = new ChargerServer.Limits(config.maxRequestLineLength(), config.maxHeaderSize(),
                Duration.ofSeconds(config.handshakeTimeoutSeconds()), config.maxMessageSize(),
                config.maxQueuedBytes(), config.maxConnectionsPerAddress(), addresses(config.unlimitedAddresses()),
                config.maxConnections(),
                Duration.ofSeconds(config.pingInterval()));
        warnAboutFileLimit(config.maxConnections(), openFileLimit());
        server = new ChargerServer(limits, ioThreads, config.acceptBacklog(), access, this);
        List<ChargerServer.Port> ports = new java.util.ArrayList<>();
        if (config.plainPortEnabled()) {
            plainIndex = ports.size();
            ports.add(new ChargerServer.Port(config.host(), config.port(), null));
        }
        if (tls != null) {
            tlsIndex = ports.size();
            ports.add(new ChargerServer.Port(config.host(), config.tlsPort(), tls));
        }
        if (ports.isEmpty()) {
            throw new IllegalArgumentException("no port to listen on: plainPortEnabled is false and no tlsPort with"
                    + " tlsCertificateFile and tlsKeyFile is configured");
        }
        try {
            server.start(ports);
        } catch (RuntimeException | InterruptedException e) {
            LOG.error("OCPP server cannot listen on {} port {}{}: {}", config.host(), config.port(),
                    tls == null ? "" : " / " + config.tlsPort(), e.toString());
            handlers.stop();
            timer.shutdownNow();
            passwordChecks.close();
            throw new IllegalStateException("cannot listen on " + config.host() + ":" + config.port(), e);
        }
        if (plainIndex >= 0) {
            LOG.info("OCPP 1.6J central system listening on ws://{}:{}{}{chargePointId}", config.host(),
                    server.boundPort(plainIndex), config.pathPrefix());
        }
        if (tlsIndex >= 0) {
            LOG.info("OCPP 1.6J central system listening on wss://{}:{}{}{chargePointId}{}", config.host(),
                    server.boundPort(tlsIndex), config.pathPrefix(),
                    tls.checksClientCertificates() ? " (client certificates checked against chargerCaFile)" : "");
        }
        logAccessPolicy(config);
    }

    private void logAccessPolicy(Config config) {
        if (config.unknownChargers() == UnknownChargers.Open) {
            LOG.warn("unknownChargers = Open: any charge point id is accepted, at security profile {}",
                    config.securityProfile());
        } else {
            LOG.info("Unknown charge point ids are refused and listed as waiting (chargeedge:waiting, chargeedge:accept"
                    + " ID, chargeedge:commission MINUTES); site security profile {}", config.securityProfile());
        }
    }

    /** Comma-separated IP address literals (no host names: nothing is looked up). */
    static java.util.Set<java.net.InetAddress> addresses(String setting) {
        java.util.Set<java.net.InetAddress> result = new java.util.HashSet<>();
        for (String item : ChargePointIds.csv(setting)) {
            if (!item.matches("[0-9a-fA-F:.]+")) {
                throw new IllegalArgumentException("unlimitedAddresses: '" + item + "' is not an IP address");
            }
            try {
                result.add(java.net.InetAddress.getByName(item));
            } catch (java.net.UnknownHostException e) {
                throw new IllegalArgumentException("unlimitedAddresses: '" + item + "' is not an IP address", e);
            }
        }
        return java.util.Set.copyOf(result);
    }

    /** "CP-1=2, CP-2=3" as a map of profiles. */
    static Map<String, Integer> profiles(String setting) {
        Map<String, Integer> result = new java.util.HashMap<>();
        pairs(setting, "chargerProfiles").forEach((id, value) -> {
            try {
                int p = Integer.parseInt(value);
                if (p < 0 || p > 3) {
                    throw new NumberFormatException();
                }
                result.put(id, p);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("chargerProfiles: " + id + "=" + value + " is not a profile 0..3");
            }
        });
        return Map.copyOf(result);
    }

    /** "A=x, B=y" as a map; an item without '=' is a configuration error naming the setting. */
    static Map<String, String> pairs(String setting, String name) {
        Map<String, String> result = new java.util.HashMap<>();
        for (String item : ChargePointIds.csv(setting)) {
            int eq = item.indexOf('=');
            if (eq <= 0 || eq == item.length() - 1) {
                throw new IllegalArgumentException(name + ": '" + item + "' is not ID=VALUE");
            }
            result.put(item.substring(0, eq).trim(), item.substring(eq + 1).trim());
        }
        return Map.copyOf(result);
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

    /** Descriptors kept for the rest of the process: jars, the store, MQTT, logs, the HTTP port. */
    static final int FILES_BESIDES_CHARGERS = 256;

    /**
     * Each charger holds one socket here and, with a CSMS configured, one more upstream. When the
     * process may open fewer files than that, the listener would meet EMFILE before maxConnections
     * (it keeps listening and says so once a minute): better to say at start what to raise.
     *
     * @return the warning logged, or null
     */
    static String warnAboutFileLimit(int maxConnections, long openFileLimit) {
        if (openFileLimit <= 0) {
            return null; // not a Unix runtime, or the limit cannot be read
        }
        long needed = 2L * maxConnections + FILES_BESIDES_CHARGERS;
        if (needed <= openFileLimit) {
            return null;
        }
        String warning = "the process may open " + openFileLimit + " files, fewer than the " + needed
                + " that maxConnections = " + maxConnections + " needs (one socket per charger, one more upstream,"
                + " and " + FILES_BESIDES_CHARGERS + " for the rest): raise it (systemd LimitNOFILE=, ulimit -n) or"
                + " lower maxConnections";
        LOG.warn("OCPP server: {}", warning);
        return warning;
    }

    /** The process's open-file limit, read through JMX (no com.sun.management import in the bundle); -1 unknown. */
    static long openFileLimit() {
        try {
            Object max = java.lang.management.ManagementFactory.getPlatformMBeanServer().getAttribute(
                    new javax.management.ObjectName("java.lang:type=OperatingSystem"), "MaxFileDescriptorCount");
            return max instanceof Number n ? n.longValue() : -1;
        } catch (javax.management.JMException | RuntimeException e) {
            return -1;
        }
    }

    private void stopServer() {
        // Every connection closed with 1001 (going away), waiting for the chargers' close answers.
        server.stop(STOP_GRACE);
        timer.shutdownNow();
        passwordChecks.close();
    }

    /** The call handlers and the site's readiness; for tests. */
    HandlerRegistry handlerRegistry() {
        return handlers;
    }

    // ---- OcppServerHealth ---------------------------------------------------------------------

    @Override
    public List<Listener> listeners() {
        List<Listener> all = new java.util.ArrayList<>();
        if (plainIndex >= 0) {
            all.add(new Listener(config.host(), server.boundPort(plainIndex), false, server.listening(plainIndex)));
        }
        if (tlsIndex >= 0) {
            all.add(new Listener(config.host(), server.boundPort(tlsIndex), true, server.listening(tlsIndex)));
        }
        return List.copyOf(all);
    }

    @Override
    public int connections() {
        return server.connections().size();
    }

    @Override
    public List<Calls> calls() {
        CallDispatcher d = dispatcher;
        return d == null ? List.of() : d.meter.calls();
    }

    @Override
    public String probe(Duration timeout) {
        List<Listener> listeners = listeners();
        if (listeners.isEmpty()) {
            return "the OCPP server is not started";
        }
        List<String> problems = new java.util.ArrayList<>();
        for (Listener l : listeners) {
            String problem = l.open() ? Probe.port(l.host(), l.port(), l.tls(), timeout)
                    : (l.tls() ? "wss:// port " : "ws:// port ") + l.port() + ": the listening socket is closed";
            if (problem != null) {
                problems.add(problem);
            }
        }
        return problems.isEmpty() ? null : String.join("; ", problems);
    }

    /** The plain port actually bound (differs from the configuration when that says 0). */
    int port() {
        return server.boundPort(plainIndex);
    }

    /** The wss:// port actually bound. */
    int tlsPort() {
        return server.boundPort(tlsIndex);
    }

    /** The server, for tests that look at its sockets. */
    ChargerServer server() {
        return server;
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
        // chargers may connect before the store is bound: their open transactions are read now
        site.restoreFromStore(this::storedOpenTransactions).forEach((id, added) -> LOG.info(
                "{}: open transactions {} from before the restart, read from the store that came after it connected",
                id, added.stream().map(TransactionInfo::transactionId).toList()));
    }

    void unsetSiteStore(SiteStore store) {
        this.store.compareAndSet(store, null);
    }

    /** The charger's open transactions in the store; null when no store is bound. */
    private List<TransactionInfo> storedOpenTransactions(String chargePointId) {
        SiteStore s = store.get();
        if (s == null) {
            return null;
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
    public void opened(ChargerChannel connection, String chargePointId) {
        ChargerSession session = new ChargerSession(chargePointId, connection, codec, dispatcher,
                site, timer, clock, Duration.ofSeconds(config.callTimeout()), config.maxQueuedCalls(), chargerMistakes);
        connection.attach(session, session::backlog);
        ChargerSession previous = sessions.put(chargePointId, session);
        if (previous != null) {
            LOG.warn("{}: new connection from {} replaces the one from {}", chargePointId,
                    session.transport().remoteAddress(), previous.transport().remoteAddress());
            previous.closed(Reason.CONNECTION_LOST);
            previous.transport().close(1000, "replaced by a new connection of " + chargePointId);
        }
        LOG.info("{}: connected from {}{}", chargePointId, session.transport().remoteAddress(),
                connection.tls() ? " over TLS" : "");
        site.connected(chargePointId, session.transport().remoteAddress(), session.connectedAt(),
                this::storedOpenTransactions);
    }

    @Override
    public void text(ChargerChannel connection, String text) {
        ChargerSession session = connection.session();
        if (session != null) {
            connection.heard();
            session.onText(text);
        }
    }

    @Override
    public void pong(ChargerChannel connection) {
        ChargerSession session = connection.session();
        if (session != null) {
            connection.heard();
            site.seen(session.chargePointId(), clock.instant());
        }
    }

    @Override
    public void closed(ChargerChannel connection, int code, String reason, boolean remote) {
        ChargerSession session = connection.session();
        if (session == null) {
            return;
        }
        session.closed(Reason.CONNECTION_LOST);
        String id = session.chargePointId();
        if (sessions.remove(id, session)) {
            LOG.info("{}: disconnected ({} {}{})", id, code, PeerText.longText(reason),
                    remote ? "" : ", closed by the gateway");
            site.disconnected(id, clock.instant());
            if (!access.isKnown(id)) {
                rememberGone(id);
            }
        }
    }

    /**
     * The open mode: ids nobody accepted are shown after they disconnect, the most recent
     * {@value #REMEMBERED_UNKNOWN} of them; older ones (with no open transaction) are forgotten, so a
     * churn of new ids cannot fill the heap. Guarded by its own lock; called on worker threads.
     */
    private void rememberGone(String id) {
        String forget = null;
        synchronized (goneUnknown) {
            goneUnknown.remove(id);
            goneUnknown.add(id);
            if (goneUnknown.size() > REMEMBERED_UNKNOWN) {
                forget = goneUnknown.iterator().next();
                goneUnknown.remove(forget);
            }
        }
        if (forget != null && !sessions.containsKey(forget)) {
            site.forgetIfIdle(forget);
            if (site.charger(forget).isEmpty()) {
                diagnostics.forget(forget);
            }
        }
    }

    /** The open sessions, as the access control asks about them for the takeover rule. */
    private final class OpenSessions implements AccessControl.Sessions {
        @Override
        public boolean connected(String chargePointId) {
            return sessions.containsKey(chargePointId);
        }

        @Override
        public String remoteAddress(String chargePointId) {
            ChargerSession s = sessions.get(chargePointId);
            return s == null ? "?" : s.transport().remoteAddress();
        }

        @Override
        public CompletionStage<Boolean> alive(String chargePointId, Duration within) {
            ChargerSession s = sessions.get(chargePointId);
            if (s == null || !(s.transport() instanceof ChargerChannel channel)) {
                return CompletableFuture.completedFuture(false);
            }
            long since = System.nanoTime();
            channel.ping();
            CompletableFuture<Boolean> alive = new CompletableFuture<>();
            long deadline = since + within.toNanos();
            Runnable[] check = new Runnable[1];
            check[0] = () -> {
                if (channel.heardSince(since)) {
                    alive.complete(true);
                } else if (!channel.channel().isActive() || System.nanoTime() >= deadline) {
                    alive.complete(channel.heardSince(since));
                } else {
                    timer.schedule(check[0], 100, TimeUnit.MILLISECONDS);
                }
            };
            timer.schedule(check[0], 50, TimeUnit.MILLISECONDS);
            return alive;
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
        return session.call(request).thenApply(confirmation -> {
            // recorded before the caller sees the answer, so what it reads next already shows it
            diagnostics.answered(chargePointId, request, confirmation);
            return confirmation;
        });
    }

    @Override
    public List<ChargerInfo> chargers() {
        return site.chargers().stream().map(this::withUpstream).map(this::withDiagnostics).toList();
    }

    @Override
    public Optional<ChargerInfo> charger(String chargePointId) {
        return site.charger(chargePointId).map(this::withUpstream).map(this::withDiagnostics);
    }

    private ChargerInfo withDiagnostics(ChargerInfo info) {
        ChargerDiagnostics d = diagnostics.of(info.chargePointId());
        return d == ChargerDiagnostics.NONE ? info : info.withDiagnostics(d);
    }

    @Override
    public SiteReadiness readiness() {
        return handlers.snapshot().readiness();
    }

    // ---- ChargerAccess: delegated to the access control -------------------------------------

    @Override
    public int siteSecurityProfile() {
        return access.siteSecurityProfile();
    }

    @Override
    public boolean openToUnknownChargers() {
        return access.openToUnknownChargers();
    }

    @Override
    public Optional<java.time.Instant> commissioningUntil() {
        return access.commissioningUntil();
    }

    @Override
    public List<KnownCharger> knownChargers() {
        return access.knownChargers();
    }

    @Override
    public List<WaitingCharger> waitingChargers() {
        return access.waitingChargers();
    }

    @Override
    public List<Refusal> recentRefusals() {
        return access.recentRefusals();
    }

    @Override
    public KnownCharger accept(String chargePointId) {
        return access.accept(chargePointId);
    }

    @Override
    public boolean forget(String chargePointId) {
        return access.forget(chargePointId);
    }

    @Override
    public KnownCharger setSecurityProfile(String chargePointId, Integer profile) {
        return access.setSecurityProfile(chargePointId, profile);
    }

    @Override
    public KnownCharger setAuthorizationKey(String chargePointId, String key) {
        return access.setAuthorizationKey(chargePointId, key);
    }

    @Override
    public CompletionStage<KnownCharger> provisionAuthorizationKey(String chargePointId, int profile) {
        return access.provisionAuthorizationKey(chargePointId, profile);
    }

    @Override
    public String hashAuthorizationKey(String key) {
        return access.hashAuthorizationKey(key);
    }

    @Override
    public java.time.Instant openCommissioning(Duration length) {
        return access.openCommissioning(length);
    }

    @Override
    public void closeCommissioning() {
        access.closeCommissioning();
    }
}
