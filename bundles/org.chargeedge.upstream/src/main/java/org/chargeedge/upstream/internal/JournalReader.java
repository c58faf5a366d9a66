package org.chargeedge.upstream.internal;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.chargeedge.api.charger.ChargerInfo;
import org.chargeedge.api.charger.ConnectorInfo;
import org.chargeedge.api.store.OutboundMessage;
import org.chargeedge.api.store.StoredTransaction;
import org.chargeedge.ocpp.rpc.CallErrorException;
import org.chargeedge.ocpp.v16.AuthorizationStatus;
import org.chargeedge.ocpp.v16.BootNotificationRequest;
import org.chargeedge.ocpp.v16.RemoteStopTransactionRequest;
import org.chargeedge.ocpp.v16.StatusNotificationRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The reader of one charger's outbound journal: announces the charger on each new connection (its
 * BootNotification, before anything else of it), then delivers the journal in order, one message
 * at a time, each acknowledged only after the CSMS answered it, and then the connector statuses the
 * CSMS has not acknowledged yet (so a status never overtakes the transaction messages before it).
 *
 * <p>Threads: runs on the shared scheduler, one step at a time per charger (the {@code sending}
 * flag); handlers wake it with {@link #pump}. The flags, the pacing clock and the id cache are
 * guarded by this object's monitor, held only to read or change them.
 */
final class JournalReader {

    private static final Logger LOG = LoggerFactory.getLogger(JournalReader.class);

    private final String chargePointId;
    private final Settings settings;
    private final ScheduledExecutorService scheduler;
    private final Services services;
    private final Delivery delivery;
    private final Uplink link;

    // Guarded by this.
    private boolean sending;
    /** Set when the link stops: no new message is taken; completed once the one in flight is settled. */
    private CompletableFuture<Void> stopped;
    private boolean sendAgain;
    private long nextSendNanos;
    // The CSMS id of the gateway transaction last delivered: saves a store read per MeterValues.
    private int lastGatewayId = -1;
    private int lastCsmsId;

    JournalReader(String chargePointId, Settings settings, ScheduledExecutorService scheduler, Services services,
                  Delivery delivery, Uplink link) {
        this.chargePointId = chargePointId;
        this.settings = settings;
        this.scheduler = scheduler;
        this.services = services;
        this.delivery = delivery;
        this.link = link;
    }

    // ---- announcing ---------------------------------------------------------------------------

    /**
     * After connection {@code epoch} came up, or the charger booted while the link waited for it:
     * the charger's BootNotification first. Nothing else of the charger goes upstream before the
     * CSMS answered it on this connection.
     */
    void announce(long epoch) {
        if (!link.claimAnnouncement(epoch)) {
            return;
        }
        Optional<BootNotificationRequest> boot = link.bootToAnnounce();
        if (boot.isEmpty()) {
            // Never booted at this gateway (nor since it started): nothing to announce it with; its
            // messages go upstream as they come, and its BootNotification when it sends one.
            if (link.readyWithoutBoot(epoch)) {
                LOG.info("{}: no BootNotification of the charger known yet; its messages go upstream as they come",
                        chargePointId);
            } else {
                // The charger booted while this looked: announce with its boot.
                announce(epoch);
            }
            return;
        }
        link.call(UUID.randomUUID().toString(), "BootNotification", Payloads.of(boot.get()), settings.callTimeout())
                .whenComplete((answer, failure) -> {
                    if (failure != null) {
                        Throwable cause = unwrap(failure);
                        LOG.warn("{}: announcing the charger upstream failed: {}", chargePointId, cause.toString());
                        if (cause instanceof CallErrorException) {
                            // Connected, but the CSMS refused the boot: try again later on this connection.
                            link.releaseAnnouncement(epoch);
                            scheduler.schedule(() -> announce(epoch), settings.retryInterval().toMillis(),
                                    TimeUnit.MILLISECONDS);
                        }
                        return;
                    }
                    String status = answer.path("status").asText();
                    if ("Accepted".equals(status)) {
                        LOG.info("{}: BootNotification replayed, CSMS says {}", chargePointId, status);
                    } else {
                        LOG.warn("{}: BootNotification replayed, CSMS says {}; the journal is delivered all the same"
                                + " (what the charger did must reach the CSMS)", chargePointId, status);
                    }
                    // Parked and requeued meanwhile: read the journal afresh.
                    delivery.reread();
                    link.markReady(epoch);
                });
    }

    /**
     * The link is stopping (its bundle stops or is updated): no new message is taken, and the stage
     * completes once the message in flight, if any, is answered and its acknowledgement durable, or
     * failed. Waiting for it means a bundle update never sends a message twice.
     */
    CompletableFuture<Void> stop() {
        CompletableFuture<Void> idle;
        synchronized (this) {
            if (stopped == null) {
                stopped = new CompletableFuture<>();
                if (!sending) {
                    stopped.complete(null);
                }
            }
            idle = stopped;
        }
        // Answered MeterValues are acknowledged in the background: settled once that write is durable too.
        return idle.thenCompose(v -> delivery.settled());
    }

    private synchronized boolean stopping() {
        return stopped != null;
    }

    // ---- delivering ---------------------------------------------------------------------------

    /** Starts the reader unless it runs; called after every journaled message and when the link is ready. */
    void pump() {
        // Read before taking this monitor: no lock is held while taking the link's.
        boolean ready = link.ready() && !link.closed();
        synchronized (this) {
            if (stopped != null) {
                return;
            }
            if (sending) {
                sendAgain = true;
                return;
            }
            if (!ready) {
                return;
            }
            sending = true;
            sendAgain = false;
        }
        scheduler.execute(this::sendNext);
    }

    private void sendNext() {
        if (!link.ready() || stopping()) {
            stopSending(null);
            return;
        }
        OutboundMessage head;
        try {
            head = delivery.next();
        } catch (RuntimeException e) {
            LOG.error("{}: cannot read the outbound journal: {}", chargePointId, e.toString());
            stopSending(settings.retryInterval());
            return;
        }
        if (head == null) {
            journalDelivered();
            return;
        }
        if (!delivery.windowOpen(this::sendNext)) {
            // Too many answers wait for their acknowledgement to commit: the store is slow; it wakes the reader.
            return;
        }
        long wait;
        synchronized (this) {
            long now = System.nanoTime();
            wait = nextSendNanos - now;
            if (settings.replayRatePerSecond() > 0) {
                nextSendNanos = Math.max(now, nextSendNanos) + 1_000_000_000L / settings.replayRatePerSecond();
            }
        }
        if (wait > 0) {
            scheduler.schedule(() -> deliver(head), wait, TimeUnit.NANOSECONDS);
        } else {
            deliver(head);
        }
    }

    /** Nothing left in the journal: the statuses the CSMS lacks, then idle (or the drain hook). */
    private void journalDelivered() {
        StatusNotificationRequest status = link.chargerConnected() ? nextUnacknowledgedStatus() : null;
        if (status != null) {
            link.call(UUID.randomUUID().toString(), "StatusNotification", Payloads.of(status), settings.callTimeout())
                    .whenComplete((answer, failure) -> {
                        if (failure == null || unwrap(failure) instanceof CallErrorException) {
                            if (failure != null) {
                                // It answered: a CSMS that refuses a status would refuse it again; not retried.
                                LOG.warn("{}: the CSMS refused the status of connector {}: {}", chargePointId,
                                        status.connectorId(), unwrap(failure).getMessage());
                            }
                            delivery.statusAcknowledged(status);
                            scheduler.execute(this::sendNext);
                        } else {
                            stopSending(null);
                        }
                    });
            return;
        }
        boolean again;
        CompletableFuture<Void> idle;
        synchronized (this) {
            again = sendAgain && stopped == null;
            sendAgain = false;
            sending = again;
            idle = again ? null : stopped;
        }
        if (idle != null) {
            idle.complete(null);
        }
        if (again) {
            scheduler.execute(this::sendNext);
            return;
        }
        Runnable drained = link.takeDrainHook();
        if (drained != null) {
            drained.run();
        }
    }

    /** The newest status of a connector that the CSMS has not acknowledged, if any. */
    private StatusNotificationRequest nextUnacknowledgedStatus() {
        Optional<ChargerInfo> info = services.site().charger(chargePointId);
        if (info.isEmpty()) {
            return null;
        }
        for (ConnectorInfo c : info.get().connectors()) {
            if (c.status() != null) {
                StatusNotificationRequest status = new StatusNotificationRequest(c.connectorId(), c.errorCode(),
                        c.info(), c.status(), c.statusTimestamp(), null, c.vendorErrorCode());
                if (!delivery.statusKnownUpstream(status)) {
                    return status;
                }
            }
        }
        return null;
    }

    private void stopSending(Duration retryAfter) {
        CompletableFuture<Void> idle;
        synchronized (this) {
            sending = false;
            idle = stopped;
        }
        if (idle != null) {
            idle.complete(null);
            return;
        }
        if (retryAfter != null) {
            scheduler.schedule(this::pump, retryAfter.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void deliver(OutboundMessage message) {
        if (stopping()) {
            stopSending(null);
            return;
        }
        JsonNode payload = Payloads.parse(message.payloadJson());
        int gatewayId = message.transactionId() == null ? -1 : message.transactionId();
        if (message.action().equals("StartTransaction")) {
            if (gatewayId < 0) {
                // Only a queue of an older version whose start lost its id map row can hold one.
                park(message, "no gateway transaction recorded for this StartTransaction", true);
                return;
            }
            if (services.ids().csmsId(gatewayId).isPresent()) {
                // Answered and mapped before a crash that came before its acknowledgement: sending it
                // again would open a second transaction at the CSMS.
                LOG.info("{}: journaled StartTransaction {} of transaction {} was answered before; not sent again",
                        chargePointId, message.sequence(), gatewayId);
                delivery.answeredDurably(message.sequence()).whenComplete((v, e) -> afterDurable(e, message));
                return;
            }
        } else if (gatewayId >= 0) {
            int csmsId;
            synchronized (this) {
                csmsId = lastGatewayId == gatewayId ? lastCsmsId : -1;
            }
            if (csmsId < 0) {
                Optional<StoredTransaction> transaction = services.store().transaction(gatewayId);
                if (transaction.isPresent() && !transaction.get().chargePointId().equals(chargePointId)) {
                    // Never sent as if it belonged to the owner's transaction: the store keeps such
                    // messages as evidence; one can only get here when an operator replays them (or from
                    // a journal written before the store did).
                    park(message, message.action() + " of " + chargePointId + " for transaction " + gatewayId
                            + ", which " + transaction.get().chargePointId() + " started", false);
                    return;
                }
                var mapped = services.ids().csmsId(gatewayId);
                if (mapped.isEmpty()) {
                    unplaceable(message, gatewayId, transaction);
                    return;
                }
                csmsId = mapped.getAsInt();
                synchronized (this) {
                    lastGatewayId = gatewayId;
                    lastCsmsId = csmsId;
                }
            }
            payload = Payloads.withTransactionId(payload, csmsId);
        }
        int id = gatewayId;
        link.call(UUID.randomUUID().toString(), message.action(), payload, settings.callTimeout())
                .whenComplete((answer, failure) -> {
                    if (failure == null) {
                        accepted(message, id, answer);
                    } else {
                        refused(message, unwrap(failure));
                    }
                });
    }

    /**
     * A MeterValues or StopTransaction of a transaction the CSMS has no id for. In-order delivery
     * means its start was never journaled (the store has no record of the transaction, or recorded
     * it from its stop only before version 5 of its schema: an evidence message replayed, or a
     * journal of an older gateway; expected, documented) or was refused for good and parked (an
     * error already reported).
     */
    private void unplaceable(OutboundMessage message, int gatewayId, Optional<StoredTransaction> transaction) {
        boolean startKnown = transaction.map(t -> !t.startUnknown()).orElse(false);
        park(message, "the CSMS has no id for gateway transaction " + gatewayId
                + (startKnown ? " (its StartTransaction was refused)" : " (it never started at this gateway)"),
                startKnown);
    }

    private void accepted(OutboundMessage message, int gatewayId, JsonNode answer) {
        CompletableFuture<Void> durable;
        boolean start = message.action().equals("StartTransaction");
        if (start) {
            if (!answer.path("transactionId").isInt()) {
                refused(message, new CallErrorException(null, "StartTransaction", "FormationViolation",
                        "StartTransaction.conf without transactionId", null));
                return;
            }
            // The id map must be durable before anything naming the transaction goes out: a crash
            // before it would send the start again and open a second transaction at the CSMS. The
            // acknowledgement follows it.
            durable = services.ids().map(chargePointId, gatewayId, answer.get("transactionId").intValue())
                    .toCompletableFuture().thenCompose(v -> delivery.answeredDurably(message.sequence()));
        } else if (message.action().equals("StopTransaction")) {
            // Two per transaction, and the one whose duplicate matters most: waits for its acknowledgement.
            durable = delivery.answeredDurably(message.sequence());
        } else {
            // MeterValues, the bulk of a replay: acknowledged in the background while the next one is
            // already on its way. A crash before that commit can only send answered MeterValues again.
            delivery.answered(message.sequence());
            scheduler.execute(this::sendNext);
            return;
        }
        durable.whenComplete((v, e) -> {
            if (e != null) {
                afterDurable(e, message);
                return;
            }
            boolean chargerGotIt = gatewayId >= 0 && link.answerWaiter(gatewayId, answer);
            if (start && !chargerGotIt) {
                startAnsweredLate(gatewayId, answer);
            }
            scheduler.execute(this::sendNext);
        });
    }

    /** After a durable acknowledgement: the next message, or a pause when the store failed. */
    private void afterDurable(Throwable failure, OutboundMessage message) {
        if (failure != null) {
            LOG.error("{}: cannot record the CSMS's answer to journaled {} {}: {}", chargePointId, message.action(),
                    message.sequence(), failure.toString());
            stopSending(settings.retryInterval());
            return;
        }
        scheduler.execute(this::sendNext);
    }

    /** A StartTransaction the charger got the local answer for: 1.6's DeAuthorized if the CSMS refuses it. */
    private void startAnsweredLate(int gatewayId, JsonNode answer) {
        String status = answer.path("idTagInfo").path("status").asText();
        if (AuthorizationStatus.Accepted.name().equals(status)) {
            return;
        }
        boolean running = services.store().transaction(gatewayId).map(t -> t.open()).orElse(false);
        if (!running || !settings.stopTransactionOnInvalidId()) {
            LOG.warn("{}: the CSMS answered transaction {} with {} after the fact; {}", chargePointId, gatewayId,
                    status, running ? "not stopped (stopTransactionOnInvalidId is off)" : "it has ended already");
            return;
        }
        LOG.warn("{}: the CSMS answered transaction {} with {} after the fact; stopping it (DeAuthorized)",
                chargePointId, gatewayId, status);
        services.commands().call(chargePointId, new RemoteStopTransactionRequest(gatewayId)).whenComplete((c, e) ->
                LOG.info("{}: RemoteStopTransaction {} for the idTag the CSMS refused: {}", chargePointId, gatewayId,
                        e == null ? c.status() : e.toString()));
    }

    private void refused(OutboundMessage message, Throwable failure) {
        if (!(failure instanceof CallErrorException error)) {
            // Down or no answer: whether the CSMS got it cannot be known; it is sent again on the next
            // connection (see the readme). A timeout in flight has dropped the connection already.
            LOG.debug("{}: journaled {} {} not delivered: {}", chargePointId, message.action(), message.sequence(),
                    failure.toString());
            stopSending(null);
            return;
        }
        String refusal = error.errorCode() + ": " + error.errorDescription();
        // Counted in the store: a restart does not give a refused message its attempts again.
        services.journal().countRefusal(chargePointId, message.sequence()).whenComplete((refusals, e) -> {
            if (e != null) {
                LOG.error("{}: cannot count the CSMS's refusal of journaled {} {}: {}", chargePointId,
                        message.action(), message.sequence(), e.toString());
                stopSending(settings.retryInterval());
            } else if (refusals == 0) {
                // No longer in the journal (answered meanwhile through another link): read it afresh.
                delivery.reread();
                stopSending(settings.retryInterval());
            } else if (refusals > settings.maxRetries()) {
                park(message, "CSMS answered CALLERROR " + refusal + " " + refusals + " times", true);
            } else {
                Duration delay = settings.retryInterval().multipliedBy(refusals);
                LOG.warn("{}: the CSMS refused journaled {} {} ({}); attempt {} of {} in {} ms", chargePointId,
                        message.action(), message.sequence(), refusal, refusals + 1, settings.maxRetries() + 1,
                        delay.toMillis());
                stopSending(delay);
            }
        });
    }

    /** Moves a message out of the journal for the operator; {@code unexpected} ones are logged as errors. */
    private void park(OutboundMessage message, String reason, boolean unexpected) {
        if (unexpected) {
            LOG.error("{}: journaled {} {} parked as failed: {}; replay with chargeedge:replayfailed {}",
                    chargePointId, message.action(), message.sequence(), reason, chargePointId);
        } else {
            LOG.warn("{}: journaled {} {} parked: {}; not sent to the CSMS. Listed by chargeedge:parked {}",
                    chargePointId, message.action(), message.sequence(), reason, chargePointId);
        }
        services.parked().park(message, reason).whenComplete((v, e) -> {
            if (e != null) {
                LOG.error("{}: cannot park journaled {} {}: {}", chargePointId, message.action(), message.sequence(),
                        e.toString());
                stopSending(settings.retryInterval());
                return;
            }
            delivery.removed(message.sequence());
            scheduler.execute(this::sendNext);
        });
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
