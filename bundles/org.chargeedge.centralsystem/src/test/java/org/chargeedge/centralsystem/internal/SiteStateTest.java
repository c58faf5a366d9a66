package org.chargeedge.centralsystem.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.chargeedge.api.charger.CallContext;
import org.chargeedge.api.charger.ChargerEvents;
import org.chargeedge.api.charger.ChargerInfo;
import org.chargeedge.api.charger.ConnectorInfo;
import org.chargeedge.api.charger.TransactionInfo;
import org.chargeedge.ocpp.v16.AuthorizationStatus;
import org.chargeedge.ocpp.v16.BootNotificationConfirmation;
import org.chargeedge.ocpp.v16.BootNotificationRequest;
import org.chargeedge.ocpp.v16.ChargePointErrorCode;
import org.chargeedge.ocpp.v16.ChargePointStatus;
import org.chargeedge.ocpp.v16.Confirmation;
import org.chargeedge.ocpp.v16.HeartbeatConfirmation;
import org.chargeedge.ocpp.v16.HeartbeatRequest;
import org.chargeedge.ocpp.v16.IdTagInfo;
import org.chargeedge.ocpp.v16.Measurand;
import org.chargeedge.ocpp.v16.MeterValue;
import org.chargeedge.ocpp.v16.MeterValuesConfirmation;
import org.chargeedge.ocpp.v16.MeterValuesRequest;
import org.chargeedge.ocpp.v16.RegistrationStatus;
import org.chargeedge.ocpp.v16.Request;
import org.chargeedge.ocpp.v16.SampledValue;
import org.chargeedge.ocpp.v16.StartTransactionConfirmation;
import org.chargeedge.ocpp.v16.StartTransactionRequest;
import org.chargeedge.ocpp.v16.StatusNotificationConfirmation;
import org.chargeedge.ocpp.v16.StatusNotificationRequest;
import org.chargeedge.ocpp.v16.StopTransactionConfirmation;
import org.chargeedge.ocpp.v16.StopTransactionRequest;
import org.chargeedge.ocpp.v16.UnitOfMeasure;
import org.junit.jupiter.api.Test;

class SiteStateTest {

    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    record Posted(String topic, Map<String, Object> properties) {
        ChargerInfo charger() {
            return (ChargerInfo) properties.get(ChargerEvents.CHARGER);
        }
    }

    private final List<Posted> posted = new CopyOnWriteArrayList<>();
    private final SiteState site = new SiteState((topic, properties) -> posted.add(
            new Posted(topic, Map.copyOf(properties))));

    private static Instant t(int seconds) {
        return T0.plusSeconds(seconds);
    }

    private void answered(String id, int at, Request<?> request, Confirmation confirmation) {
        site.answered(new CallContext(id, "m" + at, t(at)), request, confirmation);
    }

    private static MeterValue meter(int at, String value) {
        return new MeterValue(t(at), List.of(SampledValue.of(value, Measurand.EnergyActiveImportRegister,
                UnitOfMeasure.Wh)));
    }

    private static final java.util.function.Function<String, List<TransactionInfo>> NOTHING_STORED = id -> List.of();

    private Posted last() {
        return posted.get(posted.size() - 1);
    }

    @Test
    void connectAndDisconnectPostEventsAndKeepTheCharger() {
        site.connected("CP1", "10.0.0.5:4000", t(1), NOTHING_STORED);
        assertThat(posted).hasSize(1);
        assertThat(last().topic()).isEqualTo(ChargerEvents.CONNECTED);
        assertThat(last().properties()).containsEntry(ChargerEvents.CHARGE_POINT_ID, "CP1")
                .doesNotContainKeys(ChargerEvents.CONNECTOR_ID, ChargerEvents.TRANSACTION_ID);
        ChargerInfo connected = last().charger();
        assertThat(connected.connected()).isTrue();
        assertThat(connected.connectedSince()).isEqualTo(t(1));
        assertThat(connected.remoteAddress()).isEqualTo("10.0.0.5:4000");
        assertThat(connected.boot()).isNull();

        site.seen("CP1", t(5));
        site.disconnected("CP1", t(9));
        assertThat(last().topic()).isEqualTo(ChargerEvents.DISCONNECTED);
        ChargerInfo gone = site.charger("CP1").orElseThrow();
        assertThat(gone.connected()).isFalse();
        assertThat(gone.disconnectedSince()).isEqualTo(t(9));
        assertThat(gone.connectedSince()).isEqualTo(t(1));
        assertThat(gone.lastSeen()).isEqualTo(t(5));
        assertThat(last().charger()).isEqualTo(gone);
    }

    @Test
    void openTransactionsFromTheStoreAreShownOnTheFirstConnectOnly() {
        List<String> asked = new java.util.ArrayList<>();
        TransactionInfo stored = new TransactionInfo(77, 1, "TAG", 1000, t(0), null);
        java.util.function.Function<String, List<TransactionInfo>> store = id -> {
            asked.add(id);
            return List.of(stored);
        };
        site.connected("CP1", "a", t(1), store);
        assertThat(site.charger("CP1").orElseThrow().openTransactions()).containsExactly(stored);
        site.disconnected("CP1", t(2));
        site.connected("CP1", "a", t(3), store);
        assertThat(asked).containsExactly("CP1");
        assertThat(site.charger("CP1").orElseThrow().openTransactions()).containsExactly(stored);
    }

    @Test
    void aChargerThatConnectedBeforeTheStoreGetsItsOpenTransactionsWhenTheStoreComes() {
        TransactionInfo throughRestart = new TransactionInfo(77, 1, "TAG", 1000, t(0), null);
        TransactionInfo startedSince = new TransactionInfo(1001, 2, "OTHER", 0, t(2), null);
        java.util.concurrent.atomic.AtomicReference<List<TransactionInfo>> store =
                new java.util.concurrent.atomic.AtomicReference<>();
        java.util.function.Function<String, List<TransactionInfo>> ask = id -> store.get();
        // the gateway listens before its store is bound: a charger connects, nothing can be read for it
        site.connected("CP1", "a", t(1), ask);
        assertThat(site.charger("CP1").orElseThrow().openTransactions()).isEmpty();
        // a transaction started meanwhile (its call waited for the store's handler) is known already
        answered("CP1", 2, new StartTransactionRequest(2, "OTHER", 0, null, t(2)),
                new StartTransactionConfirmation(IdTagInfo.of(AuthorizationStatus.Accepted), 1001));
        int events = posted.size();

        store.set(List.of(throughRestart, startedSince));
        Map<String, List<TransactionInfo>> added = site.restoreFromStore(ask);

        assertThat(added).containsOnlyKeys("CP1").containsEntry("CP1", List.of(throughRestart));
        assertThat(site.charger("CP1").orElseThrow().openTransactions())
                .containsExactlyInAnyOrder(startedSince, throughRestart);
        assertThat(posted).as("nothing started: no event").hasSize(events);
        // asked once: a later store changes nothing, and the session ends as any other
        assertThat(site.restoreFromStore(ask)).isEmpty();
        answered("CP1", 3, new StopTransactionRequest(null, 1500, t(3), 77, null, null),
                new StopTransactionConfirmation(null));
        assertThat(last().topic()).isEqualTo(ChargerEvents.TRANSACTION_STOPPED);
        assertThat(site.charger("CP1").orElseThrow().openTransactions()).containsExactly(startedSince);
    }

    @Test
    void aChargerThatConnectedWithTheStoreIsNotAskedAgain() {
        List<String> asked = new java.util.ArrayList<>();
        site.connected("CP1", "a", t(1), id -> {
            asked.add(id);
            return List.of();
        });
        assertThat(site.restoreFromStore(id -> {
            asked.add(id);
            return List.of(new TransactionInfo(77, 1, "TAG", 1000, t(0), null));
        })).isEmpty();
        assertThat(asked).containsExactly("CP1");
        assertThat(site.charger("CP1").orElseThrow().openTransactions()).isEmpty();
    }

    @Test
    void aResentStartTransactionIsRecognisedByWhatItSays() {
        site.connected("CP1", "a", t(1), id -> List.of(new TransactionInfo(77, 1, "TAG", 1000, t(0), null)));
        assertThat(site.openTransactionStartedBy("CP1",
                new org.chargeedge.ocpp.v16.StartTransactionRequest(1, "tag", 1000, null, t(0)))).hasValue(77);
        assertThat(site.openTransactionStartedBy("CP1",
                new org.chargeedge.ocpp.v16.StartTransactionRequest(1, "TAG", 1001, null, t(0)))).isEmpty();
        assertThat(site.openTransactionStartedBy("CP1",
                new org.chargeedge.ocpp.v16.StartTransactionRequest(2, "TAG", 1000, null, t(0)))).isEmpty();
        assertThat(site.openTransactionStartedBy("CP2",
                new org.chargeedge.ocpp.v16.StartTransactionRequest(1, "TAG", 1000, null, t(0)))).isEmpty();
    }

    @Test
    void disconnectOfAnUnknownChargerPostsNothing() {
        site.disconnected("NOBODY", t(1));
        assertThat(posted).isEmpty();
        assertThat(site.chargers()).isEmpty();
    }

    @Test
    void lastSeenFollowsFrames() {
        site.connected("CP1", "a", t(1), NOTHING_STORED);
        site.seen("CP1", t(7));
        assertThat(site.charger("CP1").orElseThrow().lastSeen()).isEqualTo(t(7));
        assertThat(site.chargers()).singleElement().satisfies(c -> assertThat(c.lastSeen()).isEqualTo(t(7)));
    }

    @Test
    void bootIsKeptAcrossReconnects() {
        site.connected("CP1", "a", t(1), NOTHING_STORED);
        BootNotificationRequest boot = new BootNotificationRequest("V", "M", "S", null, "fw", null, null, null, null);
        answered("CP1", 2, boot, new BootNotificationConfirmation(t(2), 300, RegistrationStatus.Accepted));
        assertThat(last().topic()).isEqualTo(ChargerEvents.BOOTED);
        assertThat(last().charger().boot()).isEqualTo(boot);
        assertThat(last().charger().bootedAt()).isEqualTo(t(2));

        site.disconnected("CP1", t(3));
        site.connected("CP1", "b", t(4), NOTHING_STORED);
        ChargerInfo again = site.charger("CP1").orElseThrow();
        assertThat(again.boot()).isEqualTo(boot);
        assertThat(again.remoteAddress()).isEqualTo("b");
        assertThat(again.connected()).isTrue();
        assertThat(again.disconnectedSince()).isNull();
    }

    @Test
    void statusNotificationUpdatesTheConnectorAndPostsItsId() {
        site.connected("CP1", "a", t(1), NOTHING_STORED);
        answered("CP1", 2, new StatusNotificationRequest(2, ChargePointErrorCode.NoError, null,
                ChargePointStatus.Available, t(-5), null, null), new StatusNotificationConfirmation());
        answered("CP1", 3, new StatusNotificationRequest(0, ChargePointErrorCode.OtherError, "hot", 
                ChargePointStatus.Unavailable, null, "vendor", "E42"), new StatusNotificationConfirmation());
        assertThat(last().topic()).isEqualTo(ChargerEvents.STATUS_CHANGED);
        assertThat(last().properties()).containsEntry(ChargerEvents.CONNECTOR_ID, 0)
                .doesNotContainKey(ChargerEvents.TRANSACTION_ID);
        ChargerInfo info = site.charger("CP1").orElseThrow();
        assertThat(info.connectors()).extracting(ConnectorInfo::connectorId).containsExactly(0, 2);
        assertThat(info.connector(2).orElseThrow().statusTimestamp()).as("charger's timestamp").isEqualTo(t(-5));
        ConnectorInfo whole = info.connector(0).orElseThrow();
        assertThat(whole.status()).isEqualTo(ChargePointStatus.Unavailable);
        assertThat(whole.errorCode()).isEqualTo(ChargePointErrorCode.OtherError);
        assertThat(whole.info()).isEqualTo("hot");
        assertThat(whole.vendorErrorCode()).isEqualTo("E42");
        assertThat(whole.statusTimestamp()).as("receive time when the charger gives none").isEqualTo(t(3));
    }

    @Test
    void transactionLifecycle() {
        site.connected("CP1", "a", t(1), NOTHING_STORED);
        answered("CP1", 2, new StatusNotificationRequest(1, ChargePointErrorCode.NoError, null,
                ChargePointStatus.Charging, null, null, null), new StatusNotificationConfirmation());
        answered("CP1", 3, new StartTransactionRequest(1, "TAG", 100, null, t(3)),
                new StartTransactionConfirmation(IdTagInfo.of(AuthorizationStatus.Accepted), 17));
        assertThat(last().topic()).isEqualTo(ChargerEvents.TRANSACTION_STARTED);
        assertThat(last().properties()).containsEntry(ChargerEvents.CONNECTOR_ID, 1)
                .containsEntry(ChargerEvents.TRANSACTION_ID, 17);
        assertThat(last().charger().openTransactions())
                .containsExactly(new TransactionInfo(17, 1, "TAG", 100, t(3), null));

        // Two meter values in one message: the newest by timestamp wins, whatever the order.
        answered("CP1", 10, new MeterValuesRequest(1, 17, List.of(meter(9, "190"), meter(5, "150"))),
                new MeterValuesConfirmation());
        assertThat(last().topic()).isEqualTo(ChargerEvents.METER_VALUES);
        assertThat(last().properties()).containsEntry(ChargerEvents.CONNECTOR_ID, 1)
                .containsEntry(ChargerEvents.TRANSACTION_ID, 17);
        ChargerInfo metered = site.charger("CP1").orElseThrow();
        assertThat(metered.connector(1).orElseThrow().latestMeterValue()).isEqualTo(meter(9, "190"));
        assertThat(metered.connector(1).orElseThrow().status()).as("status kept").isEqualTo(ChargePointStatus.Charging);
        assertThat(metered.transaction(17).orElseThrow().latestMeterValue()).isEqualTo(meter(9, "190"));

        answered("CP1", 20, new StopTransactionRequest(null, 300, t(20), 17, null, null),
                new StopTransactionConfirmation(null));
        assertThat(last().topic()).isEqualTo(ChargerEvents.TRANSACTION_STOPPED);
        assertThat(last().properties()).containsEntry(ChargerEvents.CONNECTOR_ID, 1)
                .containsEntry(ChargerEvents.TRANSACTION_ID, 17);
        assertThat(site.charger("CP1").orElseThrow().openTransactions()).isEmpty();
        assertThat(site.charger("CP1").orElseThrow().connector(1).orElseThrow().latestMeterValue())
                .as("the connector keeps its last meter value").isEqualTo(meter(9, "190"));
    }

    @Test
    void meterValuesWithoutATransactionOnlyUpdateTheConnector() {
        site.connected("CP1", "a", t(1), NOTHING_STORED);
        answered("CP1", 2, new MeterValuesRequest(3, null, List.of(meter(2, "5"))), new MeterValuesConfirmation());
        assertThat(last().properties()).containsEntry(ChargerEvents.CONNECTOR_ID, 3)
                .doesNotContainKey(ChargerEvents.TRANSACTION_ID);
        ConnectorInfo c = site.charger("CP1").orElseThrow().connector(3).orElseThrow();
        assertThat(c.status()).isNull();
        assertThat(c.latestMeterValue()).isEqualTo(meter(2, "5"));
    }

    @Test
    void aStopOrMeterValuesNamingATransactionNotOpenAtThisChargerChangesNothingElsewhere() {
        site.connected("CP1", "a", t(1), NOTHING_STORED);
        site.connected("CP2", "b", t(1), NOTHING_STORED);
        answered("CP1", 2, new StartTransactionRequest(1, "TAG", 100, null, t(2)),
                new StartTransactionConfirmation(IdTagInfo.of(AuthorizationStatus.Accepted), 17));
        int before = posted.size();
        answered("CP2", 3, new StopTransactionRequest(null, 1, t(3), 17, null, null),
                new StopTransactionConfirmation(null));
        answered("CP2", 4, new StopTransactionRequest(null, 1, t(4), 999, null, null),
                new StopTransactionConfirmation(null));
        assertThat(posted).hasSize(before);
        answered("CP2", 5, new MeterValuesRequest(1, 17, List.of(meter(5, "50"))), new MeterValuesConfirmation());
        assertThat(last().topic()).isEqualTo(ChargerEvents.METER_VALUES);
        assertThat(last().properties()).doesNotContainKey(ChargerEvents.TRANSACTION_ID);
        assertThat(site.charger("CP1").orElseThrow().transaction(17).orElseThrow().latestMeterValue())
                .as("CP1's transaction untouched").isNull();
        assertThat(site.charger("CP1").orElseThrow().openTransactions()).hasSize(1);
    }

    @Test
    void resentStartTransactionDoesNotDuplicateTheOpenTransaction() {
        site.connected("CP1", "a", t(1), NOTHING_STORED);
        StartTransactionRequest start = new StartTransactionRequest(1, "TAG", 0, null, t(2));
        Confirmation answer = new StartTransactionConfirmation(IdTagInfo.of(AuthorizationStatus.Accepted), 5);
        answered("CP1", 2, start, answer);
        answered("CP1", 3, start, answer);
        assertThat(site.charger("CP1").orElseThrow().openTransactions()).hasSize(1);
    }

    @Test
    void heartbeatPostsNothing() {
        site.connected("CP1", "a", t(1), NOTHING_STORED);
        posted.clear();
        answered("CP1", 2, new HeartbeatRequest(), new HeartbeatConfirmation(t(2)));
        assertThat(posted).isEmpty();
    }

    @Test
    void chargersAreSortedById() {
        site.connected("b", "x", t(1), NOTHING_STORED);
        site.connected("C", "x", t(1), NOTHING_STORED);
        site.connected("a", "x", t(1), NOTHING_STORED);
        assertThat(site.chargers()).extracting(ChargerInfo::chargePointId).containsExactly("C", "a", "b");
    }
}
