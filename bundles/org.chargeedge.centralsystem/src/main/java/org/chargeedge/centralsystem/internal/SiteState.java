package org.chargeedge.centralsystem.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.chargeedge.api.charger.CallContext;
import org.chargeedge.api.charger.ChargerEvents;
import org.chargeedge.api.charger.ChargerInfo;
import org.chargeedge.api.charger.ConnectorInfo;
import org.chargeedge.api.charger.SiteView;
import org.chargeedge.api.charger.TransactionInfo;
import org.chargeedge.ocpp.v16.BootNotificationRequest;
import org.chargeedge.ocpp.v16.Confirmation;
import org.chargeedge.ocpp.v16.MeterValue;
import org.chargeedge.ocpp.v16.MeterValuesRequest;
import org.chargeedge.ocpp.v16.Request;
import org.chargeedge.ocpp.v16.StartTransactionConfirmation;
import org.chargeedge.ocpp.v16.StartTransactionRequest;
import org.chargeedge.ocpp.v16.StatusNotificationRequest;
import org.chargeedge.ocpp.v16.StopTransactionRequest;

/**
 * The live view of the site, built from the connections and from every call a
 * charger made and got answered.
 *
 * <p>Threads: each charger's snapshot is replaced with {@code compute} on a
 * ConcurrentHashMap, which serialises the writers of one charger (its session's
 * dispatch, its connect and disconnect) while other chargers proceed in
 * parallel; readers see whole immutable snapshots. Last-seen times change on
 * every frame, so they live in their own map instead of forcing a new
 * snapshot per frame.
 */
final class SiteState implements SiteView, CallDispatcher.Observer {

    /** Where change events go (EventAdmin when present). */
    interface EventSink {
        void post(String topic, Map<String, Object> properties);
    }

    private final ConcurrentHashMap<String, ChargerInfo> chargers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Instant> lastSeen = new ConcurrentHashMap<>();
    /**
     * Chargers that first connected while no store could be asked for their open transactions: asked when a store
     * comes ({@link #restoreFromStore}). Added before the store is asked, removed once it answered, so a store that
     * comes while a charger connects is never missed.
     */
    private final java.util.Set<String> storeNotAsked = ConcurrentHashMap.newKeySet();
    private final EventSink events;

    SiteState(EventSink events) {
        this.events = events;
    }

    @Override
    public List<ChargerInfo> chargers() {
        List<ChargerInfo> all = new ArrayList<>(chargers.size());
        chargers.values().forEach(c -> all.add(withLastSeen(c)));
        all.sort(Comparator.comparing(ChargerInfo::chargePointId));
        return List.copyOf(all);
    }

    @Override
    public Optional<ChargerInfo> charger(String chargePointId) {
        return Optional.ofNullable(chargers.get(chargePointId)).map(this::withLastSeen);
    }

    private ChargerInfo withLastSeen(ChargerInfo c) {
        Instant seen = lastSeen.get(c.chargePointId());
        if (seen == null || seen.equals(c.lastSeen())) {
            return c;
        }
        return new ChargerInfo(c.chargePointId(), c.connected(), c.connectedSince(), c.disconnectedSince(),
                c.remoteAddress(), c.boot(), c.bootedAt(), seen, c.connectors(), c.openTransactions());
    }

    /** The open transaction this StartTransaction started already, if the charger sends it again. */
    java.util.OptionalInt openTransactionStartedBy(String chargePointId, StartTransactionRequest start) {
        ChargerInfo c = chargers.get(chargePointId);
        if (c == null) {
            return java.util.OptionalInt.empty();
        }
        return c.openTransactions().stream()
                .filter(t -> t.connectorId() == start.connectorId() && t.meterStart() == start.meterStart()
                        && t.idTag() != null && t.idTag().equalsIgnoreCase(start.idTag())
                        && java.util.Objects.equals(t.startedAt(), start.timestamp()))
                .mapToInt(TransactionInfo::transactionId).findFirst();
    }

    void seen(String chargePointId, Instant at) {
        lastSeen.put(chargePointId, at);
    }

    /**
     * @param persisted the charger's open transactions from before a restart, asked for only the first
     *        time the charger connects after the gateway started; null when there is no store to ask yet (it is
     *        asked again when one comes: {@link #restoreFromStore})
     */
    void connected(String chargePointId, String remoteAddress, Instant at,
                   java.util.function.Function<String, List<TransactionInfo>> persisted) {
        seen(chargePointId, at);
        ChargerInfo info = chargers.compute(chargePointId, (id, c) -> c == null
                ? new ChargerInfo(id, true, at, null, remoteAddress, null, null, at, List.of(), stored(id, persisted))
                : new ChargerInfo(id, true, at, null, remoteAddress, c.boot(), c.bootedAt(), at, c.connectors(),
                        c.openTransactions()));
        post(ChargerEvents.CONNECTED, info, null, null);
    }

    private List<TransactionInfo> stored(String chargePointId,
                                         java.util.function.Function<String, List<TransactionInfo>> persisted) {
        storeNotAsked.add(chargePointId);
        List<TransactionInfo> open = persisted.apply(chargePointId);
        if (open == null) {
            return List.of();
        }
        storeNotAsked.remove(chargePointId);
        return open;
    }

    /**
     * A store came: the chargers that connected before it get their open transactions from before the restart
     * now, those not known already (the gateway listens for chargers before the store is bound; without this, a
     * session that ran through a restart would be unknown to the site until it ended). No event is posted: the
     * next one of the charger carries them, and nothing started.
     *
     * @param persisted as in {@link #connected}
     * @return per charger, the open transactions added
     */
    Map<String, List<TransactionInfo>> restoreFromStore(
            java.util.function.Function<String, List<TransactionInfo>> persisted) {
        Map<String, List<TransactionInfo>> added = new HashMap<>();
        for (String id : List.copyOf(storeNotAsked)) {
            chargers.computeIfPresent(id, (k, c) -> {
                List<TransactionInfo> stored = persisted.apply(k);
                if (stored == null) {
                    return c; // the store went again: asked when the next one comes
                }
                storeNotAsked.remove(k);
                List<TransactionInfo> open = new ArrayList<>(c.openTransactions());
                List<TransactionInfo> more = stored.stream().filter(t -> open.stream()
                        .noneMatch(o -> o.transactionId() == t.transactionId())).toList();
                if (more.isEmpty()) {
                    return c;
                }
                open.addAll(more);
                added.put(k, more);
                return withTransactions(c, open);
            });
        }
        return added;
    }

    void disconnected(String chargePointId, Instant at) {
        Instant seen = lastSeen.getOrDefault(chargePointId, at);
        ChargerInfo info = chargers.computeIfPresent(chargePointId, (id, c) -> new ChargerInfo(id, false,
                c.connectedSince(), at, c.remoteAddress(), c.boot(), c.bootedAt(), seen, c.connectors(),
                c.openTransactions()));
        if (info != null) {
            post(ChargerEvents.DISCONNECTED, info, null, null);
        }
    }

    /**
     * Forgets a disconnected charger with no open transaction (an id the site
     * does not know, in the open mode), so ids that come and go do not fill
     * the heap. A charger that reconnected meanwhile is kept.
     */
    void forgetIfIdle(String chargePointId) {
        if (chargers.computeIfPresent(chargePointId,
                (id, c) -> !c.connected() && c.openTransactions().isEmpty() ? null : c) == null) {
            lastSeen.remove(chargePointId);
            storeNotAsked.remove(chargePointId);
        }
    }

    @Override
    public void answered(CallContext context, Request<?> request, Confirmation confirmation) {
        String id = context.chargePointId();
        switch (request.action()) {
            case BootNotification -> {
                ChargerInfo info = update(id, c -> new ChargerInfo(c.chargePointId(), c.connected(),
                        c.connectedSince(), c.disconnectedSince(), c.remoteAddress(),
                        (BootNotificationRequest) request, context.receivedAt(), c.lastSeen(), c.connectors(),
                        c.openTransactions()));
                post(ChargerEvents.BOOTED, info, null, null);
            }
            case StatusNotification -> {
                StatusNotificationRequest s = (StatusNotificationRequest) request;
                Instant at = s.timestamp() != null ? s.timestamp() : context.receivedAt();
                ChargerInfo info = update(id, c -> withConnector(c, s.connectorId(), old -> new ConnectorInfo(
                        s.connectorId(), s.status(), s.errorCode(), s.info(), s.vendorErrorCode(), at,
                        old == null ? null : old.latestMeterValue())));
                post(ChargerEvents.STATUS_CHANGED, info, s.connectorId(), null);
            }
            case StartTransaction -> {
                StartTransactionRequest s = (StartTransactionRequest) request;
                int txId = ((StartTransactionConfirmation) confirmation).transactionId();
                TransactionInfo tx = new TransactionInfo(txId, s.connectorId(), s.idTag(), s.meterStart(),
                        s.timestamp(), null);
                ChargerInfo info = update(id, c -> {
                    List<TransactionInfo> open = new ArrayList<>(c.openTransactions());
                    open.removeIf(t -> t.transactionId() == txId);
                    open.add(tx);
                    return withTransactions(c, open);
                });
                post(ChargerEvents.TRANSACTION_STARTED, info, s.connectorId(), txId);
            }
            case MeterValues -> {
                MeterValuesRequest m = (MeterValuesRequest) request;
                if (m.meterValue().isEmpty()) {
                    return;
                }
                MeterValue latest = m.meterValue().stream().max(Comparator.comparing(MeterValue::timestamp))
                        .orElseThrow();
                ChargerInfo info = update(id, c -> {
                    ChargerInfo withMeter = withConnector(c, m.connectorId(), old -> old == null
                            ? new ConnectorInfo(m.connectorId(), null, null, null, null, null, latest)
                            : old.withMeterValue(latest));
                    if (m.transactionId() == null) {
                        return withMeter;
                    }
                    List<TransactionInfo> open = new ArrayList<>(withMeter.openTransactions());
                    open.replaceAll(t -> t.transactionId() == m.transactionId() ? t.withMeterValue(latest) : t);
                    return withTransactions(withMeter, open);
                });
                // A transaction id that is not one of this charger's own open transactions (another charger's,
                // or one never issued) is not passed on: the store keeps such values as evidence only.
                Integer own = m.transactionId() != null && info != null && info.openTransactions().stream()
                        .anyMatch(t -> t.transactionId() == m.transactionId()) ? m.transactionId() : null;
                post(ChargerEvents.METER_VALUES, info, m.connectorId(), own);
            }
            case StopTransaction -> {
                StopTransactionRequest s = (StopTransactionRequest) request;
                Integer[] connector = new Integer[1];
                ChargerInfo info = update(id, c -> {
                    List<TransactionInfo> open = new ArrayList<>(c.openTransactions());
                    open.removeIf(t -> {
                        if (t.transactionId() == s.transactionId()) {
                            connector[0] = t.connectorId();
                            return true;
                        }
                        return false;
                    });
                    return withTransactions(c, open);
                });
                if (connector[0] != null) {
                    // Only the charger that had the transaction open stops it; another one's stop changes nothing.
                    post(ChargerEvents.TRANSACTION_STOPPED, info, connector[0], s.transactionId());
                }
            }
            default -> {
                // Heartbeat, DataTransfer and the notifications change nothing kept here.
            }
        }
    }

    private ChargerInfo update(String chargePointId, java.util.function.UnaryOperator<ChargerInfo> change) {
        return chargers.compute(chargePointId, (id, c) -> change.apply(c != null ? c
                : new ChargerInfo(id, false, null, null, null, null, null, null, List.of(), List.of())));
    }

    private static ChargerInfo withConnector(ChargerInfo c, int connectorId,
                                             java.util.function.UnaryOperator<ConnectorInfo> change) {
        List<ConnectorInfo> connectors = new ArrayList<>(c.connectors());
        int index = -1;
        for (int i = 0; i < connectors.size(); i++) {
            if (connectors.get(i).connectorId() == connectorId) {
                index = i;
            }
        }
        if (index >= 0) {
            connectors.set(index, change.apply(connectors.get(index)));
        } else {
            connectors.add(change.apply(null));
            connectors.sort(Comparator.comparingInt(ConnectorInfo::connectorId));
        }
        return new ChargerInfo(c.chargePointId(), c.connected(), c.connectedSince(), c.disconnectedSince(),
                c.remoteAddress(), c.boot(), c.bootedAt(), c.lastSeen(), connectors, c.openTransactions());
    }

    private static ChargerInfo withTransactions(ChargerInfo c, List<TransactionInfo> open) {
        return new ChargerInfo(c.chargePointId(), c.connected(), c.connectedSince(), c.disconnectedSince(),
                c.remoteAddress(), c.boot(), c.bootedAt(), c.lastSeen(), c.connectors(), open);
    }

    private void post(String topic, ChargerInfo info, Integer connectorId, Integer transactionId) {
        Map<String, Object> properties = new HashMap<>();
        properties.put(ChargerEvents.CHARGE_POINT_ID, info.chargePointId());
        properties.put(ChargerEvents.CHARGER, info);
        if (connectorId != null) {
            properties.put(ChargerEvents.CONNECTOR_ID, connectorId);
        }
        if (transactionId != null) {
            properties.put(ChargerEvents.TRANSACTION_ID, transactionId);
        }
        events.post(topic, properties);
    }
}
