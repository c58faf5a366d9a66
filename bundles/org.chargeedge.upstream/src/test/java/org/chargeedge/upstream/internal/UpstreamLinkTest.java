package org.chargeedge.upstream.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;

import org.chargeedge.api.upstream.UpstreamStatus;
import org.chargeedge.centralsystem.internal.CentralSystemHarness;
import org.chargeedge.store.internal.SqliteStore;
import org.chargeedge.store.internal.TestStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import eu.chargetime.ocpp.CallErrorException;
import eu.chargetime.ocpp.model.core.AuthorizationStatus;
import eu.chargetime.ocpp.model.core.AuthorizeConfirmation;
import eu.chargetime.ocpp.model.core.BootNotificationConfirmation;
import eu.chargetime.ocpp.model.core.GetConfigurationRequest;
import eu.chargetime.ocpp.model.core.MeterValuesRequest;
import eu.chargetime.ocpp.model.core.RemoteStartStopStatus;
import eu.chargetime.ocpp.model.core.RemoteStopTransactionConfirmation;
import eu.chargetime.ocpp.model.core.RemoteStopTransactionRequest;
import eu.chargetime.ocpp.model.core.StartTransactionConfirmation;
import eu.chargetime.ocpp.model.core.StartTransactionRequest;
import eu.chargetime.ocpp.model.core.StopTransactionConfirmation;
import eu.chargetime.ocpp.model.core.StopTransactionRequest;

/**
 * The link between real peers (see {@link LinkTestBase}): online pass-through, an outage in the
 * middle of a transaction, parked messages, a refused start, commands for absent chargers.
 */
class UpstreamLinkTest extends LinkTestBase {

    @Test
    void onlineTheCsmsAnswersAndIdsAreMappedBothWays() throws Exception {
        connect(true);
        BootNotificationConfirmation boot = charger.send(charger.core.createBootNotificationRequest("V", "M"));
        assertThat(boot.getInterval()).as("the CSMS's answer, not the gateway's").isEqualTo(Csms.BOOT_INTERVAL);

        csms.statuses.put("BLOCKED-1", AuthorizationStatus.Blocked);
        AuthorizeConfirmation authorized = charger.send(charger.core.createAuthorizeRequest("blocked-1"));
        assertThat(authorized.getIdTagInfo().getStatus()).isEqualTo(AuthorizationStatus.Blocked);

        int gatewayId = start("TAG-1", 0);
        assertThat(gatewayId).as("the charger sees the gateway's id").isLessThan(Csms.FIRST_ID);
        meterValues(gatewayId, 1, "1500");
        await("meter values at the CSMS", () -> csms.of(CP, MeterValuesRequest.class).size() == 1);

        RemoteStopTransactionConfirmation remoteStop = (RemoteStopTransactionConfirmation) csms.send(CP,
                new RemoteStopTransactionRequest(Csms.FIRST_ID));
        assertThat(remoteStop.getStatus()).isEqualTo(RemoteStartStopStatus.Accepted);
        assertThat(charger.received(RemoteStopTransactionRequest.class)).singleElement()
                .extracting(RemoteStopTransactionRequest::getTransactionId).isEqualTo(gatewayId);

        RemoteStopTransactionConfirmation unknown = (RemoteStopTransactionConfirmation) csms.send(CP,
                new RemoteStopTransactionRequest(Csms.FIRST_ID + 50));
        assertThat(unknown.getStatus()).isEqualTo(RemoteStartStopStatus.Rejected);
        assertThat(charger.received(RemoteStopTransactionRequest.class)).hasSize(1);

        stopTx(gatewayId, 2);
        await("the stop at the CSMS", () -> csms.of(CP, StopTransactionRequest.class).size() == 1);
        assertThat(transactionTrail()).containsExactly(
                "Start:TAG-1:2025-03-01T10:00:00Z",
                "MeterValues:" + Csms.FIRST_ID + ":1500:2025-03-01T10:01:00Z",
                "Stop:" + Csms.FIRST_ID + ":2025-03-01T10:02:00Z");
        assertThat(csms.actions(CP)).contains("BootNotification", "Authorize");
        assertThat(link().queueDepth()).isZero();
    }

    /**
     * Messages the chargers got an answer for while the upstream bundle was away (stopped, being
     * updated or reinstalled) are in the store's journal, and reach the CSMS once, in order, when the
     * link is back.
     */
    @Test
    void whatWasAnsweredWhileTheLinkComponentWasAwayReachesTheCsmsWhenItIsBack() throws Exception {
        connect(true);
        charger.send(charger.core.createBootNotificationRequest("V", "M"));
        int first = start("TAG-1", 0);
        await("the start at the CSMS", () -> csms.of(CP, StartTransactionRequest.class).size() == 1);

        stopLinks();
        meterValues(first, 1, "1001");
        stopTx(first, 2);
        int second = start("TAG-2", 3);
        meterValues(second, 4, "1004");
        assertThat(csms.of(CP, MeterValuesRequest.class)).as("nothing goes upstream without the link").isEmpty();

        startLinks();
        await("the second stop at the CSMS", () -> csms.of(CP, MeterValuesRequest.class).size() == 2);
        stopTx(second, 5);
        await("both stops at the CSMS", () -> csms.of(CP, StopTransactionRequest.class).size() == 2);
        int c = Csms.FIRST_ID;
        assertThat(transactionTrail()).containsExactly(
                "Start:TAG-1:2025-03-01T10:00:00Z",
                "MeterValues:" + c + ":1001:2025-03-01T10:01:00Z",
                "Stop:" + c + ":2025-03-01T10:02:00Z",
                "Start:TAG-2:2025-03-01T10:03:00Z",
                "MeterValues:" + (c + 1) + ":1004:2025-03-01T10:04:00Z",
                "Stop:" + (c + 1) + ":2025-03-01T10:05:00Z");
    }

    @Test
    void csmsGoneMidTransactionGetsEverythingOnceInOrderWhenBack() throws Exception {
        connect(true);
        charger.send(charger.core.createBootNotificationRequest("V", "M"));
        int gatewayId = start("TAG-1", 0);
        await("the start at the CSMS", () -> csms.of(CP, StartTransactionRequest.class).size() == 1);

        relay.cut();
        await("the link down", () -> !link().connected());
        for (int i = 1; i <= 3; i++) {
            meterValues(gatewayId, i, String.valueOf(1000 + i));
        }
        stopTx(gatewayId, 4);
        assertThat(link().queueDepth()).isEqualTo(4);
        assertThat(link().oldestQueued()).isNotNull();
        assertThat(csms.of(CP, MeterValuesRequest.class)).isEmpty();

        relay.restore();
        await("the stop at the CSMS", () -> csms.of(CP, StopTransactionRequest.class).size() == 1);
        int c = Csms.FIRST_ID;
        assertThat(transactionTrail()).containsExactly(
                "Start:TAG-1:2025-03-01T10:00:00Z",
                "MeterValues:" + c + ":1001:2025-03-01T10:01:00Z",
                "MeterValues:" + c + ":1002:2025-03-01T10:02:00Z",
                "MeterValues:" + c + ":1003:2025-03-01T10:03:00Z",
                "Stop:" + c + ":2025-03-01T10:04:00Z");
        // The charger's boot was announced again on the new connection, before the queue.
        List<String> actions = csms.actions(CP);
        assertThat(actions.lastIndexOf("BootNotification")).isLessThan(actions.indexOf("MeterValues"));
        assertThat(actions.stream().filter("BootNotification"::equals)).hasSize(2);
        await("the queue empty", () -> link().queueDepth() == 0);
    }

    @Test
    void startedOfflineStoppedOnlineWithRemoteStopReachingTheChargersTransaction() throws Exception {
        relay.cut();
        connect(false);
        charger.send(charger.core.createBootNotificationRequest("V", "M"));
        int gatewayId = start("TAG-2", 0);
        meterValues(gatewayId, 1, "1100");
        meterValues(gatewayId, 2, "1200");
        assertThat(csms.received).isEmpty();
        assertThat(link().connected()).isFalse();
        assertThat(link().lastProblem()).isNotNull();

        relay.restore();
        await("the replayed meter values", () -> csms.of(CP, MeterValuesRequest.class).size() == 2);

        RemoteStopTransactionConfirmation remoteStop = (RemoteStopTransactionConfirmation) csms.send(CP,
                new RemoteStopTransactionRequest(Csms.FIRST_ID));
        assertThat(remoteStop.getStatus()).isEqualTo(RemoteStartStopStatus.Accepted);
        assertThat(charger.received(RemoteStopTransactionRequest.class)).singleElement()
                .extracting(RemoteStopTransactionRequest::getTransactionId).isEqualTo(gatewayId);

        stopTx(gatewayId, 3);
        await("the stop at the CSMS", () -> csms.of(CP, StopTransactionRequest.class).size() == 1);
        int c = Csms.FIRST_ID;
        assertThat(transactionTrail()).containsExactly(
                "Start:TAG-2:2025-03-01T10:00:00Z",
                "MeterValues:" + c + ":1100:2025-03-01T10:01:00Z",
                "MeterValues:" + c + ":1200:2025-03-01T10:02:00Z",
                "Stop:" + c + ":2025-03-01T10:03:00Z");
    }

    @Test
    void aMessageTheCsmsKeepsRefusingIsParkedThenReplayedOnRequest() throws Exception {
        connect(true);
        int gatewayId = start("TAG-3", 0);
        csms.failMeterValues.set(1000);
        meterValues(gatewayId, 1, "1300");
        await("the message parked", () -> link().failed() == 1);
        stopTx(gatewayId, 2);
        await("the stop at the CSMS", () -> csms.of(CP, StopTransactionRequest.class).size() == 1);
        assertThat(csms.of(CP, MeterValuesRequest.class)).isEmpty();
        assertThat(store.parked(CP)).singleElement().satisfies(p -> assertThat(p.reason()).contains("CALLERROR"));

        csms.failMeterValues.set(0);
        assertThat(links.replayFailed(CP)).isEqualTo(1);
        await("the replayed message at the CSMS", () -> csms.of(CP, MeterValuesRequest.class).size() == 1);
        assertThat(csms.of(CP, MeterValuesRequest.class).get(0).getTransactionId()).isEqualTo(Csms.FIRST_ID);
        assertThat(link().failed()).isZero();
        assertThat(new UpstreamShellCommands(links).upstream()).contains(CP).contains("up since");
    }

    /**
     * Another charger's StopTransaction and MeterValues naming this charger's transaction are
     * answered at once and never reach the CSMS, not even when the operator replays them; the
     * owner's own stop reaches it exactly once, with the owner's meter.
     */
    @Test
    void theCsmsGetsOnlyTheOwnersStopOnceWhateverAnotherChargerSends() throws Exception {
        connect(true);
        int gatewayId = start("TAG-9", 0);
        meterValues(gatewayId, 1, "1500");
        await("meter values at the CSMS", () -> csms.of(CP, MeterValuesRequest.class).size() == 1);

        String other = "CP-2";
        try (TestCharger b = TestCharger.connect(centralSystem.port(), other)) {
            b.send(b.core.createHeartbeatRequest());
            await("the other charger's upstream link", () -> csms.connected(other) && links.online(other));
            long t0 = System.nanoTime();
            StopTransactionConfirmation answer = b.send(b.core.createStopTransactionRequest(1200, at(2), gatewayId));
            assertThat(answer).isNotNull();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("answered without waiting for the CSMS")
                    .isLessThan(Settings.forTest("ws://x").startTransactionTimeout());
            MeterValuesRequest reading = b.core.createMeterValuesRequest(1, at(2), "1600");
            reading.setTransactionId(gatewayId);
            b.send(reading);
            assertThat(store.parked(other)).hasSize(2);

            stopTx(gatewayId, 3);
            await("the stop at the CSMS", () -> csms.of(CP, StopTransactionRequest.class).size() == 1);
            // The operator replays the other charger's parked messages: the link parks them again.
            assertThat(links.replayFailed(other)).isEqualTo(2);
            await("the evidence parked again", () -> store.parked(other).size() == 2 && store.depth(other) == 0);
            Thread.sleep(300); // anything sent twice, or sent at all for the other charger, would arrive now
        }
        int c = Csms.FIRST_ID;
        assertThat(transactionTrail()).containsExactly(
                "Start:TAG-9:2025-03-01T10:00:00Z",
                "MeterValues:" + c + ":1500:2025-03-01T10:01:00Z",
                "Stop:" + c + ":2025-03-01T10:03:00Z");
        assertThat(csms.of(CP, StopTransactionRequest.class).get(0).getMeterStop()).isEqualTo(2000);
        assertThat(csms.of("CP-2", StopTransactionRequest.class)).isEmpty();
        assertThat(csms.of("CP-2", MeterValuesRequest.class)).isEmpty();
        assertThat(store.parked("CP-2")).allSatisfy(p -> assertThat(p.reason())
                .contains("of CP-2 for transaction " + gatewayId + ", which " + CP + " started"));
    }

    @Override
    Settings settings(String url) {
        Settings settings = super.settings(url);
        // Long enough between attempts for the test to restart the link in between.
        return testName.equals("refusalsOfAQueuedMessageAreCountedAcrossARestart")
                ? settings.withRetries(2, Duration.ofMillis(400)) : settings;
    }

    @Test
    void refusalsOfAQueuedMessageAreCountedAcrossARestart() throws Exception {
        connect(true);
        int gatewayId = start("TAG-4", 0);
        csms.failMeterValues.set(1000);
        meterValues(gatewayId, 1, "1400");
        await("the first refusal counted", () -> refusalsRecorded() == 1);
        restartLinks();
        await("the message parked", () -> store.parked(CP).size() == 1);
        // Two retries in all, however many restarts: three attempts, not three after the restart.
        assertThat(csms.refusedMeterValues.get()).isEqualTo(3);
        assertThat(store.parked(CP).get(0).reason()).contains("3 times");
    }

    /** The refusals the store has counted for the charger's queued messages. */
    private long refusalsRecorded() {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("store.db"));
             java.sql.ResultSet rs = c.createStatement().executeQuery(
                     "SELECT COALESCE(SUM(refusals), 0) FROM outbound_journal")) {
            return rs.next() ? rs.getLong(1) : 0;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void meterValuesTheChargerSendsAgainAreDeliveredOnce() throws Exception {
        connect(true);
        int gatewayId = start("TAG-5", 0);
        // The same reading twice: what a charger sends when the gateway died before answering it.
        meterValues(gatewayId, 1, "1100");
        meterValues(gatewayId, 1, "1100");
        meterValues(gatewayId, 2, "1200");
        stopTx(gatewayId, 3);
        await("the stop at the CSMS", () -> csms.of(CP, StopTransactionRequest.class).size() == 1);
        Thread.sleep(200); // anything sent twice would arrive now
        int c = Csms.FIRST_ID;
        assertThat(transactionTrail()).containsExactly(
                "Start:TAG-5:2025-03-01T10:00:00Z",
                "MeterValues:" + c + ":1100:2025-03-01T10:01:00Z",
                "MeterValues:" + c + ":1200:2025-03-01T10:02:00Z",
                "Stop:" + c + ":2025-03-01T10:03:00Z");
    }

    @Test
    void theQueueOfAChargerThatLeftDuringAnOutageIsDeliveredWithoutIt() throws Exception {
        relay.cut();
        connect(false);
        charger.send(charger.core.createBootNotificationRequest("V", "M"));
        int gatewayId = start("TAG-6", 0);
        meterValues(gatewayId, 1, "1100");
        stopTx(gatewayId, 2);
        leave();
        links.disconnected(CP);
        assertThat(link().draining()).isTrue();
        assertThat(new UpstreamShellCommands(links).upstream()).contains("drain");
        // The site view shows the charger gone, with its link, its queue and the outage.
        assertThat(centralSystem.siteView().charger(CP).orElseThrow().upstream()).satisfies(u -> {
            assertThat(u.connected()).isFalse();
            assertThat(u.draining()).isTrue();
            assertThat(u.queueDepth()).isEqualTo(3);
            assertThat(u.oldestQueued()).isNotNull();
            assertThat(u.downSince()).isNotNull();
        });

        relay.restore();
        await("the stop at the CSMS", () -> csms.of(CP, StopTransactionRequest.class).size() == 1);
        await("the link closed once the queue is delivered", () -> links.link(CP).isEmpty());
        int c = Csms.FIRST_ID;
        assertThat(transactionTrail()).containsExactly(
                "Start:TAG-6:2025-03-01T10:00:00Z",
                "MeterValues:" + c + ":1100:2025-03-01T10:01:00Z",
                "Stop:" + c + ":2025-03-01T10:02:00Z");
        // The charger is not there, but the CSMS sees its messages on a connection of their own: its last
        // BootNotification first, as for every connection, and no status (it would read as current).
        assertThat(csms.actions(CP)).startsWith("BootNotification").doesNotContain("StatusNotification");
        assertThat(store.depth(CP)).isZero();
    }

    @Test
    void queuesLeftFromBeforeARestartAreDeliveredBeforeTheirChargersReturn() throws Exception {
        relay.cut();
        connect(false);
        int gatewayId = start("TAG-7", 0);
        meterValues(gatewayId, 1, "1100");
        leave();
        restartLinks();
        assertThat(link().draining()).isTrue();

        relay.restore();
        await("the meter values at the CSMS", () -> csms.of(CP, MeterValuesRequest.class).size() == 1);
        await("the link closed once the queue is delivered", () -> links.link(CP).isEmpty());
        assertThat(transactionTrail()).containsExactly(
                "Start:TAG-7:2025-03-01T10:00:00Z",
                "MeterValues:" + Csms.FIRST_ID + ":1100:2025-03-01T10:01:00Z");

        // The charger returns and stops its transaction: a new link, the stop under the CSMS's id.
        connect(true);
        assertThat(link().draining()).isFalse();
        stopTx(gatewayId, 2);
        await("the stop at the CSMS", () -> csms.of(CP, StopTransactionRequest.class).size() == 1);
        assertThat(csms.of(CP, StopTransactionRequest.class).get(0).getTransactionId()).isEqualTo(Csms.FIRST_ID);
    }

    @Test
    void aChargerBackWhileItsQueueIsDeliveredKeepsItsLink() throws Exception {
        relay.cut();
        connect(false);
        int gatewayId = start("TAG-8", 0);
        leave();
        links.disconnected(CP);
        assertThat(link().draining()).isTrue();
        connect(false);
        links.connected(CP);
        assertThat(link().draining()).isFalse();

        relay.restore();
        await("the start at the CSMS", () -> csms.of(CP, StartTransactionRequest.class).size() == 1);
        Thread.sleep(200);
        assertThat(links.link(CP)).as("still serving the charger").isPresent();
        stopTx(gatewayId, 1);
        await("the stop at the CSMS", () -> csms.of(CP, StopTransactionRequest.class).size() == 1);
    }

    @Test
    void aStartTheCsmsRejectsOnReplayStopsTheRunningTransaction() throws Exception {
        relay.cut();
        connect(false);
        int gatewayId = start("STOLEN", 0);
        csms.statuses.put("STOLEN", AuthorizationStatus.Invalid);
        relay.restore();
        await("the RemoteStopTransaction at the charger",
                () -> !charger.received(RemoteStopTransactionRequest.class).isEmpty());
        assertThat(charger.received(RemoteStopTransactionRequest.class).get(0).getTransactionId()).isEqualTo(gatewayId);
    }

    @Test
    void aCommandForAChargerThatIsNotConnectedGetsACallErrorAtOnce() throws Exception {
        connect(true);
        leave();
        long started = System.nanoTime();
        assertThatThrownBy(() -> csms.send(CP, new GetConfigurationRequest()))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(CallErrorException.class)
                .hasMessageContaining("not connected");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        assertThat(ChronoUnit.MILLIS).isNotNull();
    }
}
