package org.chargeedge.upstream.internal;

import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.chargeedge.api.charger.CallContext;
import org.chargeedge.api.charger.ChargerCallHandler;
import org.chargeedge.api.charger.ChargerInfo;
import org.chargeedge.api.upstream.UpstreamStatus;
import org.chargeedge.ocpp.rpc.OcppValidationException;
import org.chargeedge.ocpp.v16.AuthorizeConfirmation;
import org.chargeedge.ocpp.v16.AuthorizeRequest;
import org.chargeedge.ocpp.v16.BootNotificationRequest;
import org.chargeedge.ocpp.v16.Confirmation;
import org.chargeedge.ocpp.v16.IdTagInfo;
import org.chargeedge.ocpp.v16.Request;
import org.chargeedge.ocpp.v16.StartTransactionConfirmation;
import org.chargeedge.ocpp.v16.StartTransactionRequest;
import org.chargeedge.ocpp.v16.StatusNotificationRequest;
import org.chargeedge.ocpp.v16.StopTransactionConfirmation;
import org.chargeedge.ocpp.v16.StopTransactionRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The links of the connected chargers and the handler that puts them into the chargers' calls.
 *
 * <p>Registered twice. For the transaction messages, ranked 1100: before the store (1000), so that
 * it sees them only once the rest of the chain has answered them and the store has recorded and
 * journaled them (one commit): the link writes nothing itself. For the other calls, ranked 900:
 * after the store, which records boots and statuses before they are forwarded. Transaction messages are always answered by the local chain
 * (which issues the gateway's transaction id); online, StartTransaction and StopTransaction wait a
 * short time for the CSMS's idTagInfo. Every other call goes to the CSMS while the link is up,
 * and is answered locally when it is down or the CSMS is slow.
 */
final class UpstreamLinks implements ChargerCallHandler, UpstreamStatus, AutoCloseable {

    /** Ranking of the transaction messages' handler: before the store, to see what it recorded. */
    static final int TRANSACTION_RANKING = 1100;
    /** Ranking of the other calls' handler: after the store, which records boots and statuses first. */
    static final int FORWARD_RANKING = 900;
    static final String[] TRANSACTION_ACTIONS = {"MeterValues", "StartTransaction", "StopTransaction"};
    static final String[] FORWARDED_ACTIONS = {"Authorize", "BootNotification", "DataTransfer",
            "DiagnosticsStatusNotification", "FirmwareStatusNotification", "Heartbeat", "StatusNotification"};

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamLinks.class);
    /** How long closing waits for the CSMS to answer the messages in flight. */
    private static final long QUIESCE_MILLIS = 3000;

    private final Settings settings;
    private final Services services;
    private final Clock clock = Clock.systemUTC();
    private final ScheduledThreadPoolExecutor scheduler;
    private final LinkClients clients;
    private final Trust trust;
    /** Connection problems, logged once per cause and charger, then rate-limited; shared by the links. */
    private final ProblemLog problems;

    /**
     * Links by charge point id. Created by the connection events and by the first call of a
     * charger (whichever comes first), removed on disconnection, read by handler and shell
     * threads: a concurrent map, with remove(key, value) so a new link is never closed by an old event.
     */
    private final ConcurrentHashMap<String, Uplink> links = new ConcurrentHashMap<>();
    /** What the CSMS answered of each charger's queue; outlives the charger's links (see {@link Delivery}). */
    private final ConcurrentHashMap<String, Delivery> deliveries = new ConcurrentHashMap<>();

    /** Tests: no configured trust material beyond the HTTP client's. */
    UpstreamLinks(Settings settings, Services services, HttpClient http) {
        this(settings, services, http, null);
    }

    /** Tests: every link connects with {@code http}. */
    UpstreamLinks(Settings settings, Services services, HttpClient http, Trust trust) {
        this(settings, services, LinkClients.of(http), trust);
    }

    UpstreamLinks(Settings settings, Services services, LinkClients clients, Trust trust) {
        this(settings, services, clients, trust, new ProblemLog(LoggerFactory.getLogger(Uplink.class)));
    }

    /** Tests: the links' connection problems written to {@code problems} (a recording sink). */
    UpstreamLinks(Settings settings, Services services, LinkClients clients, Trust trust, ProblemLog problems) {
        this.settings = settings;
        this.problems = problems;
        this.services = services;
        this.clients = clients;
        this.trust = trust;
        this.scheduler = new ScheduledThreadPoolExecutor(2, r -> {
            Thread t = new Thread(r, "chargeedge-upstream");
            t.setDaemon(true);
            return t;
        });
        scheduler.setRemoveOnCancelPolicy(true);
    }

    /**
     * Opens links for the chargers connected now (the events of their connection came before us),
     * and links that only deliver the queues of chargers that are not connected (messages left
     * from before a restart, or from a charger that went away before its queue was delivered).
     */
    void start() {
        services.site().chargers().stream().filter(ChargerInfo::connected)
                .forEach(c -> uplink(c.chargePointId()));
        for (String id : services.journal().chargersWithMessages()) {
            if (!links.containsKey(id)) {
                drain(id, uplink(id));
            }
        }
    }

    @Override
    public void close() {
        // Let the messages in flight be answered first (bounded): a bundle update then never makes the
        // next link send one of them again.
        try {
            CompletableFuture.allOf(links.values().stream().map(Uplink::quiesce).toArray(CompletableFuture[]::new))
                    .get(QUIESCE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            LOG.info("Upstream links closing with messages still unanswered by the CSMS after {} ms; they are sent"
                    + " again by the next link", QUIESCE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.debug("Quiescing the upstream links failed: {}", e.toString());
        }
        links.values().forEach(Uplink::close);
        links.clear();
        scheduler.shutdownNow();
    }

    void connected(String chargePointId) {
        Uplink link = uplink(chargePointId);
        if (link.draining() && link.keep()) {
            LOG.info("{}: the charger is back; its upstream link serves it again", chargePointId);
        }
    }

    private boolean chargerConnected(String chargePointId) {
        return services.site().charger(chargePointId).map(ChargerInfo::connected).orElse(false);
    }

    void disconnected(String chargePointId) {
        // Events are asynchronous: the charger may be back already.
        if (chargerConnected(chargePointId)) {
            return;
        }
        Uplink link = links.get(chargePointId);
        if (link == null) {
            return;
        }
        int queued = services.journal().depth(chargePointId);
        if (queued > 0) {
            // What the charger left must reach the CSMS without waiting for the charger's return.
            LOG.info("{}: the charger disconnected; its upstream link stays until its {} queued messages are"
                    + " delivered", chargePointId, queued);
            drain(chargePointId, link);
        } else if (links.remove(chargePointId, link)) {
            link.close();
            LOG.info("{}: upstream link closed, the charger disconnected", chargePointId);
        }
    }

    /** Lets the link deliver the charger's queue, then closes it unless the charger came back. */
    private void drain(String chargePointId, Uplink link) {
        link.drainThenClose(() -> {
            if (chargerConnected(chargePointId)) {
                link.keep();
            } else if (links.remove(chargePointId, link)) {
                link.close();
                LOG.info("{}: queue delivered; upstream link closed, the charger is not connected", chargePointId);
                // Back between the look and the removal: it gets a link of its own.
                if (chargerConnected(chargePointId)) {
                    connected(chargePointId);
                }
            }
        });
    }

    private Uplink uplink(String chargePointId) {
        Uplink existing = links.get(chargePointId);
        if (existing != null) {
            if (!existing.closed()) {
                return existing;
            }
            // Closed after draining, just before this charger came back.
            links.remove(chargePointId, existing);
        }
        Uplink created = new Uplink(chargePointId, settings, clients, scheduler, services, clock,
                deliveryOf(chargePointId), problems, trust);
        Uplink raced = links.putIfAbsent(chargePointId, created);
        if (raced != null) {
            return raced;
        }
        created.open();
        return created;
    }

    private Delivery deliveryOf(String chargePointId) {
        return deliveries.computeIfAbsent(chargePointId, id -> new Delivery(id, services.journal(), scheduler,
                settings.retryInterval()));
    }

    // ---- the chargers' calls ----------------------------------------------------------------

    @Override
    public CompletionStage<Confirmation> handle(CallContext context, Request<?> request, Chain chain) {
        Uplink link = uplink(context.chargePointId());
        return switch (request.action()) {
            // The rest of the chain records the transaction messages and the store journals them in
            // the same commit: the link only has to wake its sender, and for a start or a stop, wait
            // a short time for the CSMS's idTagInfo.
            case StartTransaction -> chain.proceed(request).thenCompose(local ->
                    start(link, (StartTransactionRequest) request, (StartTransactionConfirmation) local));
            case StopTransaction -> chain.proceed(request).thenCompose(local -> stop(link, context.chargePointId(),
                    (StopTransactionRequest) request, (StopTransactionConfirmation) local));
            case MeterValues -> chain.proceed(request).thenApply(local -> {
                link.pump();
                return local;
            });
            case Authorize -> forwardOrLocal(link, context, request, chain, settings.authorizeTimeout(),
                    c -> learn(((AuthorizeRequest) request).idTag(), ((AuthorizeConfirmation) c).idTagInfo()));
            case BootNotification -> {
                long announcing = link.chargerBooted((BootNotificationRequest) request);
                yield announcing < 0 ? forwardOrLocal(link, context, request, chain, settings.callTimeout(), c -> { })
                        : fromCsmsOrLocal(context, request, chain, link.announceWith(announcing, context.messageId(),
                                Payloads.of(request)), c -> { });
            }
            case StatusNotification -> status(link, context, (StatusNotificationRequest) request, chain);
            default -> forwardOrLocal(link, context, request, chain, settings.callTimeout(), c -> { });
        };
    }

    private CompletionStage<Confirmation> start(Uplink link, StartTransactionRequest request,
                                                StartTransactionConfirmation local) {
        if (!link.online()) {
            link.pump();
            return CompletableFuture.completedFuture(local);
        }
        CompletableFuture<JsonNode> answer = link.awaitAnswer(local.transactionId(),
                settings.startTransactionTimeout());
        link.pump();
        return answer.thenApply(csms -> {
            IdTagInfo info = csms == null ? null : idTagInfo(csms.get("idTagInfo"));
            if (info == null) {
                return local;
            }
            learn(request.idTag(), info);
            return new StartTransactionConfirmation(info, local.transactionId());
        });
    }

    private CompletionStage<Confirmation> stop(Uplink link, String chargePointId, StopTransactionRequest request,
                                               StopTransactionConfirmation local) {
        if (!link.online() || !ownTransaction(chargePointId, request.transactionId())) {
            // A stop of a transaction not the charger's own was kept as evidence, not journaled: no
            // answer of the CSMS will come for it.
            link.pump();
            return CompletableFuture.completedFuture(local);
        }
        CompletableFuture<JsonNode> answer = link.awaitAnswer(request.transactionId(),
                settings.startTransactionTimeout());
        link.pump();
        return answer.thenApply(csms -> {
            IdTagInfo info = csms == null ? null : idTagInfo(csms.get("idTagInfo"));
            if (info == null || request.idTag() == null) {
                return local;
            }
            learn(request.idTag(), info);
            return new StopTransactionConfirmation(info);
        });
    }

    /**
     * Whether the store records the transaction as the charger's own (so it journaled the charger's
     * stop); true when the store cannot be read: the stop then waits as any other.
     */
    private boolean ownTransaction(String chargePointId, int transactionId) {
        try {
            return services.store().transaction(transactionId).map(t -> t.chargePointId().equals(chargePointId))
                    .orElse(false);
        } catch (RuntimeException e) {
            LOG.debug("{}: cannot read transaction {} from the store: {}", chargePointId, transactionId, e.toString());
            return true;
        }
    }

    /**
     * A status goes upstream live only when nothing of the charger waits in the journal: it must not
     * overtake the transaction messages before it. Otherwise the local chain answers, and the reader
     * announces the connector's newest status once the journal is delivered.
     */
    private CompletionStage<Confirmation> status(Uplink link, CallContext context, StatusNotificationRequest request,
                                                 Chain chain) {
        if (!link.online() || services.journal().depth(context.chargePointId()) > 0) {
            return chain.proceed(request).thenApply(local -> {
                link.pump();
                return local;
            });
        }
        return forwardOrLocal(link, context, request, chain, settings.callTimeout(),
                c -> deliveryOf(context.chargePointId()).statusAcknowledged(request));
    }

    /**
     * Online: the CSMS answers, within {@code timeout}; the charger's own message id goes upstream
     * (the CSMS sees the charger's call). Offline, slow or refused: the local chain answers.
     */
    private CompletionStage<Confirmation> forwardOrLocal(Uplink link, CallContext context, Request<?> request,
                                                         Chain chain, Duration timeout,
                                                         Consumer<Confirmation> fromCsms) {
        if (!link.online()) {
            return chain.proceed(request);
        }
        // Two clocks: the charger gets the local answer after timeout (Authorize: a short one), but
        // the link takes the CSMS for gone only after callTimeoutMillis in flight, so a CSMS slower than
        // the short one is not disconnected for it.
        CompletableFuture<JsonNode> csms = link.call(context.messageId(), request.action().name(),
                Payloads.of(request), settings.callTimeout().compareTo(timeout) > 0 ? settings.callTimeout() : timeout);
        return fromCsmsOrLocal(context, request, chain,
                csms.copy().orTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS), fromCsms);
    }

    /** The CSMS's answer when it came and is valid, else the local chain's. */
    private CompletionStage<Confirmation> fromCsmsOrLocal(CallContext context, Request<?> request, Chain chain,
                                                          CompletableFuture<JsonNode> csmsAnswer,
                                                          Consumer<Confirmation> fromCsms) {
        return csmsAnswer.handle((answer, failure) -> {
            if (failure == null) {
                try {
                    Confirmation confirmation = Payloads.codec().decodeConfirmation(request.action(), answer);
                    fromCsms.accept(confirmation);
                    return CompletableFuture.completedFuture(confirmation);
                } catch (OcppValidationException e) {
                    LOG.warn("{}: invalid {} answer from the CSMS, answered locally: {}", context.chargePointId(),
                            request.action(), e.getMessage());
                }
            } else {
                LOG.debug("{}: {} answered locally: {}", context.chargePointId(), request.action(),
                        failure.toString());
            }
            return chain.proceed(request);
        }).thenCompose(s -> s);
    }

    private static IdTagInfo idTagInfo(JsonNode node) {
        if (node == null || !node.isObject()) {
            return null;
        }
        try {
            return ((AuthorizeConfirmation) Payloads.codec().decodeConfirmation(org.chargeedge.ocpp.v16.Action.Authorize,
                    Payloads.MAPPER.createObjectNode().set("idTagInfo", node))).idTagInfo();
        } catch (OcppValidationException e) {
            return null;
        }
    }

    /** The CSMS's word on an idTag goes into the cache, for when the link is down. */
    private void learn(String idTag, IdTagInfo info) {
        if (info != null) {
            services.authorizationCache().ifPresent(c -> c.put(idTag, info));
        }
    }

    // ---- UpstreamStatus ---------------------------------------------------------------------

    @Override
    public List<Link> links() {
        return links.values().stream().map(Uplink::status).sorted(Comparator.comparing(Link::chargePointId)).toList();
    }

    @Override
    public Optional<Link> link(String chargePointId) {
        return Optional.ofNullable(links.get(chargePointId)).map(Uplink::status);
    }

    @Override
    public int replayFailed(String chargePointId) {
        int moved;
        try {
            moved = services.parked().requeue(chargePointId).toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot requeue the failed messages of " + chargePointId + ": " + e, e);
        }
        Uplink link = links.get(chargePointId);
        if (link != null) {
            link.pump();
        }
        LOG.info("{}: {} failed messages put back into the upstream queue", chargePointId, moved);
        return moved;
    }

    /** Whether the charger's link forwards its calls now (connected and announced). */
    boolean online(String chargePointId) {
        Uplink link = links.get(chargePointId);
        return link != null && link.online();
    }

    String url() {
        return settings.url();
    }
}
