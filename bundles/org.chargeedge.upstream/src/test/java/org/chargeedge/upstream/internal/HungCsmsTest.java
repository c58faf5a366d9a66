package org.chargeedge.upstream.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import eu.chargetime.ocpp.model.core.ChargePointErrorCode;
import eu.chargetime.ocpp.model.core.ChargePointStatus;
import eu.chargetime.ocpp.model.core.MeterValuesRequest;
import eu.chargetime.ocpp.model.core.StartTransactionRequest;
import eu.chargetime.ocpp.model.core.StopTransactionRequest;

/**
 * A CSMS that stops answering in the middle of a transaction but keeps its connection open: every
 * charger call is answered within the local-answer timeout, no message is sent twice on one
 * connection, and when the CSMS answers again it gets every message once, in order, but for at
 * most the one that was in flight when it hung.
 */
class HungCsmsTest extends LinkTestBase {

    private static final Duration CALL_TIMEOUT = Duration.ofMillis(1500);

    @Override
    Settings settings(String url) {
        // Authorize keeps Settings.forTest's 1 s: shorter than the call timeout.
        return Settings.forTest(url).withTimeouts(CALL_TIMEOUT, Duration.ofMillis(500));
    }

    @Test
    void aCsmsThatHangsWithItsConnectionOpenGetsEverythingOnceWhenItAnswersAgain() throws Exception {
        connect(true);
        charger.send(charger.core.createBootNotificationRequest("V", "M"));
        int tx = start("TAG-1", 0);
        meterValues(tx, 1, "1001");
        await("the first meter values at the CSMS", () -> csms.of(CP, MeterValuesRequest.class).size() == 1);

        java.time.Instant hungAt = java.time.Instant.now();
        csms.hang();
        List<Long> answeredMillis = new ArrayList<>();
        for (int i = 2; i <= 6; i++) {
            long t0 = System.nanoTime();
            meterValues(tx, i, String.valueOf(1000 + i));
            answeredMillis.add((System.nanoTime() - t0) / 1_000_000);
            t0 = System.nanoTime();
            charger.send(charger.core.createHeartbeatRequest());
            answeredMillis.add((System.nanoTime() - t0) / 1_000_000);
            t0 = System.nanoTime();
            charger.send(charger.core.createStatusNotificationRequest(1, ChargePointErrorCode.NoError,
                    ChargePointStatus.Charging));
            answeredMillis.add((System.nanoTime() - t0) / 1_000_000);
        }
        long t0 = System.nanoTime();
        stopTx(tx, 7);
        answeredMillis.add((System.nanoTime() - t0) / 1_000_000);
        assertThat(answeredMillis).as("every charger call answered within the local-answer timeout")
                .allSatisfy(ms -> assertThat(ms).isLessThan(CALL_TIMEOUT.toMillis() + 700));
        assertThat(link()).as("the link noticed: it dropped the connection (and is down, or on a new one)")
                .satisfies(l -> assertThat(!l.connected() || l.connectedSince().isAfter(hungAt)).isTrue());

        csms.resume();
        await("the stop at the CSMS", () -> csms.of(CP, StopTransactionRequest.class).size() == 1);
        Thread.sleep(500); // a duplicate would come now

        List<String> trail = transactionTrail();
        int c = Csms.FIRST_ID;
        List<String> expected = new ArrayList<>();
        expected.add("Start:TAG-1:2025-03-01T10:00:00Z");
        for (int i = 1; i <= 6; i++) {
            expected.add("MeterValues:" + c + ":" + (1000 + i) + ":2025-03-01T10:0" + i + ":00Z");
        }
        expected.add("Stop:" + c + ":2025-03-01T10:07:00Z");
        // The one message in flight when the CSMS hung may arrive twice (processed after it resumed, and
        // sent again on the new connection): the second meter values, right after the first.
        List<String> once = new ArrayList<>(trail);
        if (once.size() == expected.size() + 1) {
            assertThat(once.get(2)).as("only the message in flight repeats").isEqualTo(once.get(3));
            once.remove(3);
        }
        assertThat(once).isEqualTo(expected);
        assertThat(csms.of(CP, StartTransactionRequest.class)).hasSize(1);
    }

    /**
     * A CSMS slower than a charger's short timeout (Authorize) but within callTimeoutMillis is slow, not
     * gone: the charger gets the local answer in time and the link stays.
     */
    @Test
    void aCsmsSlowerThanTheAuthorizeTimeoutIsNotDisconnected() throws Exception {
        connect(true);
        java.time.Instant since = link().connectedSince();
        csms.hang();
        long t0 = System.nanoTime();
        eu.chargetime.ocpp.model.core.AuthorizeConfirmation answer =
                charger.send(charger.core.createAuthorizeRequest("CARD-1"));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(answer.getIdTagInfo()).as("the local decision").isNotNull();
        assertThat(ms).as("answered after the Authorize timeout, not the call timeout")
                .isLessThan(CALL_TIMEOUT.toMillis());
        Thread.sleep(200);
        csms.resume();
        await("the Authorize at the CSMS", () -> csms.actions(CP).contains("Authorize"));
        Thread.sleep(300);
        assertThat(link().connected()).isTrue();
        assertThat(link().connectedSince()).as("the same connection").isEqualTo(since);
    }
}
