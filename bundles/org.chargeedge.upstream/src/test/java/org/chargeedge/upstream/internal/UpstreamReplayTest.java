package org.chargeedge.upstream.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.chargeedge.api.authorization.LocalAuthorizationList;
import org.chargeedge.authorization.internal.LocalAuthorization;
import org.chargeedge.authorization.internal.TestAuthorizations;
import org.junit.jupiter.api.Test;

import eu.chargetime.ocpp.model.core.AuthorizationStatus;
import eu.chargetime.ocpp.model.core.BootNotificationConfirmation;
import eu.chargetime.ocpp.model.core.IdTagInfo;
import eu.chargetime.ocpp.model.core.MeterValuesRequest;
import eu.chargetime.ocpp.model.core.StartTransactionRequest;
import eu.chargetime.ocpp.model.core.StopTransactionRequest;
import eu.chargetime.ocpp.model.localauthlist.AuthorizationData;
import eu.chargetime.ocpp.model.localauthlist.SendLocalListConfirmation;
import eu.chargetime.ocpp.model.localauthlist.SendLocalListRequest;
import eu.chargetime.ocpp.model.localauthlist.UpdateStatus;
import eu.chargetime.ocpp.model.localauthlist.UpdateType;

/**
 * Outages the replay has to survive (the CSMS flapping mid-replay, a charger rebooting while the
 * CSMS is away, a large backlog) and the paths around the connection itself (SendLocalList, HTTP
 * Basic credentials, a handshake the CSMS refuses), between the same real peers as
 * {@link UpstreamLinkTest}.
 */
class UpstreamReplayTest extends LinkTestBase {

    /** 16 to 20 bytes: the ChargeTimeEU server refuses other lengths (OCPP 1.6 security profile 1). */
    private static final String PASSWORD = "0123456789abcdef";
    private LocalAuthorization authorization;
    private Unauthorized unauthorized;

    @Override
    Settings settings(String url) {
        Settings s = Settings.forTest(url);
        return switch (testName) {
            // Slow enough to cut the link while the replay is half way.
            case "theCsmsComingAndGoingMidReplayGetsEverythingOnceInOrder" -> s.withReplayRate(200);
            // The ChargeTimeEU server asks its handler only about handshakes with credentials.
            case "basicCredentialsReachTheCsms", "aHandshakeTheCsmsRefusesIsReportedWhileTheSiteGoesOnLocally" ->
                    s.withPasswords("", Map.of(CP, PASSWORD));
            case "wrongCredentialsAreReportedAsSuch" -> {
                try {
                    unauthorized = new Unauthorized();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                yield Settings.forTest("ws://127.0.0.1:" + unauthorized.server.getLocalPort() + "/ocpp")
                        .withPasswords("", Map.of(CP, PASSWORD));
            }
            default -> s;
        };
    }

    @Override
    LocalAuthorizationList localList() {
        return authorization;
    }

    @Test
    void theCsmsComingAndGoingMidReplayGetsEverythingOnceInOrder() throws Exception {
        relay.cut();
        connect(false);
        int gatewayId = start("TAG-F", 0);
        List<String> expected = new ArrayList<>();
        expected.add("Start:TAG-F:2025-03-01T10:00:00Z");
        for (int i = 1; i <= 200; i++) {
            meterValues(gatewayId, i % 60, String.valueOf(i));
        }
        stopTx(gatewayId, 59);

        relay.restore();
        await("part of the replay", () -> csms.of(CP, MeterValuesRequest.class).size() >= 40);
        relay.cut();
        // A frame the relay passed on just before the cut may still be read by the CSMS; once the link
        // is down and that has settled, nothing more arrives while the link stays cut.
        await("the link down", () -> !link().connected());
        Thread.sleep(200);
        List<String> beforeCut = trail();
        Thread.sleep(300);
        assertThat(trail()).as("nothing arrives while the link is cut").isEqualTo(beforeCut);
        assertThat(beforeCut.size()).as("the cut came mid-replay").isLessThan(202);
        relay.restore();
        await("the stop at the CSMS", () -> csms.of(CP, StopTransactionRequest.class).size() == 1);

        int c = Csms.FIRST_ID;
        for (int i = 1; i <= 200; i++) {
            expected.add("MeterValues:" + c + ":" + i);
        }
        expected.add("Stop:" + c);
        assertOnceInOrderButTheOneInFlight(trail(), beforeCut.size(), expected);
        assertThat(link().queueDepth()).isZero();
    }

    /**
     * What the CSMS received equals {@code expected}, except for the documented ambiguity: the one
     * message in flight when the link died may have been processed by the CSMS with its answer lost,
     * and then it is sent again, right after the last message the CSMS had before the cut.
     */
    private static void assertOnceInOrderButTheOneInFlight(List<String> got, int beforeCut, List<String> expected) {
        List<String> withoutResend = new ArrayList<>(got);
        if (beforeCut < got.size() && beforeCut > 0 && got.get(beforeCut).equals(got.get(beforeCut - 1))) {
            withoutResend.remove(beforeCut);
        }
        assertThat(withoutResend).containsExactlyElementsOf(expected);
    }

    /** The CSMS's trail with meter values reduced to transaction id and value (the minute repeats). */
    private List<String> trail() {
        return csms.received.stream().filter(r -> r.chargePointId().equals(CP)).map(r -> {
            if (r.request() instanceof StartTransactionRequest s) {
                return "Start:" + s.getIdTag() + ":" + s.getTimestamp().toInstant();
            }
            if (r.request() instanceof MeterValuesRequest m) {
                return "MeterValues:" + m.getTransactionId() + ":" + m.getMeterValue()[0].getSampledValue()[0].getValue();
            }
            if (r.request() instanceof StopTransactionRequest s) {
                return "Stop:" + s.getTransactionId();
            }
            return null;
        }).filter(s -> s != null).toList();
    }

    @Test
    void aChargerRebootingDuringTheOutageKeepsItsTransaction() throws Exception {
        relay.cut();
        connect(false);
        charger.send(charger.core.createBootNotificationRequest("V", "M"));
        int gatewayId = start("TAG-R", 0);
        meterValues(gatewayId, 1, "1100");

        // The reboot: the connection goes, a new one comes, the charger boots again (answered locally).
        leave();
        connect(false);
        BootNotificationConfirmation boot = charger.send(charger.core.createBootNotificationRequest("V", "M"));
        assertThat(boot.getStatus().name()).isEqualTo("Accepted");
        meterValues(gatewayId, 2, "1200");
        stopTx(gatewayId, 3);
        assertThat(csms.received).isEmpty();

        relay.restore();
        await("the stop at the CSMS", () -> csms.of(CP, StopTransactionRequest.class).size() == 1);
        Thread.sleep(200); // anything sent twice would arrive now
        int c = Csms.FIRST_ID;
        assertThat(transactionTrail()).containsExactly(
                "Start:TAG-R:2025-03-01T10:00:00Z",
                "MeterValues:" + c + ":1100:2025-03-01T10:01:00Z",
                "MeterValues:" + c + ":1200:2025-03-01T10:02:00Z",
                "Stop:" + c + ":2025-03-01T10:03:00Z");
        assertThat(gatewayId).as("the charger kept the gateway's id").isNotEqualTo(c);
        assertThat(store.transaction(gatewayId)).hasValueSatisfying(t -> assertThat(t.open()).isFalse());
    }

    @Test
    void aDayOfMinuteValuesForSevenChargersArrivesCompleteAndInOrder() throws Exception {
        int chargers = 7;
        int perCharger = 1440;
        relay.cut();
        List<TestCharger> all = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        try {
            for (int n = 0; n < chargers; n++) {
                TestCharger cp = TestCharger.connect(centralSystem.port(), "DAY-" + n);
                all.add(cp);
                ids.add(cp.<eu.chargetime.ocpp.model.core.StartTransactionConfirmation>send(
                        cp.core.createStartTransactionRequest(1, "TAG-D", 0, at(0))).getTransactionId());
            }
            // A day of values went through the charger's path before; what matters here is the
            // journal's replay, so the backlog is recorded by the store directly (group-committed).
            List<CompletableFuture<Long>> writes = new ArrayList<>();
            for (int m = 1; m <= perCharger; m++) {
                for (int n = 0; n < chargers; n++) {
                    org.chargeedge.ocpp.v16.MeterValuesRequest reading = new org.chargeedge.ocpp.v16.MeterValuesRequest(
                            1, ids.get(n), List.of(new org.chargeedge.ocpp.v16.MeterValue(at(0).plusMinutes(m)
                            .toInstant(), List.of(new org.chargeedge.ocpp.v16.SampledValue(String.valueOf(m), null,
                            null, null, null, null, null)))));
                    writes.add(store.meterValues("DAY-" + n, reading, java.time.Instant.now()).thenApply(v -> 0L)
                            .toCompletableFuture());
                }
            }
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            for (int n = 0; n < chargers; n++) {
                all.get(n).send(all.get(n).core.createStopTransactionRequest(9999, at(0).plusDays(1), ids.get(n)));
            }
            relay.restore();
            long started = System.nanoTime();
            for (int n = 0; n < chargers; n++) {
                String id = "DAY-" + n;
                await("the stop of " + id, () -> csms.of(id, StopTransactionRequest.class).size() == 1);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("replayed %d messages in %.1f s%n", chargers * (perCharger + 2), seconds);
            for (int n = 0; n < chargers; n++) {
                String id = "DAY-" + n;
                int csmsId = csms.of(id, StartTransactionRequest.class).size() == 1
                        ? csms.of(id, StopTransactionRequest.class).get(0).getTransactionId() : -1;
                List<String> values = csms.of(id, MeterValuesRequest.class).stream()
                        .map(m -> m.getTransactionId() + ":" + m.getMeterValue()[0].getSampledValue()[0].getValue())
                        .toList();
                List<String> expected = new ArrayList<>();
                for (int m = 1; m <= perCharger; m++) {
                    expected.add(csmsId + ":" + m);
                }
                assertThat(values).as(id).containsExactlyElementsOf(expected);
                assertThat(csmsId).as("one start each, a CSMS id the charger never saw").isNotIn(ids);
                assertThat(csms.actions(id).lastIndexOf("StartTransaction"))
                        .isLessThan(csms.actions(id).indexOf("MeterValues"));
            }
        } finally {
            all.forEach(TestCharger::close);
        }
    }

    @Test
    void sendLocalListFromTheCsmsUpdatesTheGatewaysListAndReachesTheCharger() throws Exception {
        // Before the links: the list the link updates, on the real store.
        authorization = TestAuthorizations.open(store, centralSystem.siteView());
        connect(true);
        SendLocalListRequest list = new SendLocalListRequest(5, UpdateType.Full);
        AuthorizationData entry = new AuthorizationData("LISTED-1");
        entry.setIdTagInfo(new IdTagInfo(AuthorizationStatus.Accepted));
        list.setLocalAuthorizationList(new AuthorizationData[] {entry});

        SendLocalListConfirmation answer = (SendLocalListConfirmation) csms.send(CP, list);
        assertThat(answer.getStatus()).as("the charger's answer").isEqualTo(UpdateStatus.Accepted);
        assertThat(charger.received(SendLocalListRequest.class)).singleElement()
                .satisfies(r -> assertThat(r.getListVersion()).isEqualTo(5));
        assertThat(authorization.version()).isEqualTo(5);
        assertThat(authorization.entry("LISTED-1")).isPresent();
    }

    @Override
    org.chargeedge.api.authorization.AuthorizationCache cache() {
        return authorization;
    }

    @Test
    void theCsmsAnswerToAuthorizeFeedsTheCacheForWhenTheLinkIsDown() throws Exception {
        authorization = TestAuthorizations.open(store, centralSystem.siteView());
        connect(true);
        csms.statuses.put("CARD-9", AuthorizationStatus.Blocked);
        eu.chargetime.ocpp.model.core.AuthorizeConfirmation answer =
                charger.send(charger.core.createAuthorizeRequest("CARD-9"));
        assertThat(answer.getIdTagInfo().getStatus()).isEqualTo(AuthorizationStatus.Blocked);
        await("the CSMS's answer in the cache", () -> authorization.get("CARD-9").isPresent());
        assertThat(authorization.get("CARD-9").orElseThrow().status())
                .isEqualTo(org.chargeedge.ocpp.v16.AuthorizationStatus.Blocked);
    }

    @Test
    void basicCredentialsReachTheCsms() throws Exception {
        connect(true);
        assertThat(csms.credentials).as("what the CSMS decoded from the Authorization header")
                .containsOnly(CP + ":" + PASSWORD);
    }

    @Test
    void aHandshakeTheCsmsRefusesIsReportedWhileTheSiteGoesOnLocally() throws Exception {
        // Java-WebSocket, under the ChargeTimeEU server, answers every refused handshake with 404.
        csms.refuseWith.set(401);
        connect(false);
        await("the refusal in the status", () -> String.valueOf(link().lastProblem()).contains("HTTP 404"));
        assertThat(link().lastProblem()).contains("unknown charge point id or wrong URL");
        // The site goes on: the charger's transaction is answered and queued locally.
        int gatewayId = start("TAG-404", 0);
        assertThat(gatewayId).isPositive();
        assertThat(link().queueDepth()).isEqualTo(1);
        assertThat(link().connected()).isFalse();
        assertThat(csms.received).isEmpty();

        // Retried at the slowest pace (reconnectMax, 500 ms here) until the CSMS accepts.
        csms.refuseWith.set(0);
        await("the start at the CSMS once it accepts", () -> csms.of(CP, StartTransactionRequest.class).size() == 1);
    }

    @Test
    void wrongCredentialsAreReportedAsSuch() throws Exception {
        connect(false);
        await("the refusal in the status", () -> String.valueOf(link().lastProblem()).contains("HTTP 401"));
        assertThat(link().lastProblem()).contains("(credentials)");
        assertThat(start("TAG-401", 0)).isPositive();
        assertThat(unauthorized.authorizations).isNotEmpty()
                .allSatisfy(h -> assertThat(h).isEqualTo("Basic " + java.util.Base64.getEncoder().encodeToString(
                        (CP + ":" + PASSWORD).getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    }

    /** An HTTP server that refuses every WebSocket handshake with 401, keeping the Authorization headers. */
    static final class Unauthorized implements AutoCloseable {
        final List<String> authorizations = new java.util.concurrent.CopyOnWriteArrayList<>();
        final java.net.ServerSocket server;

        Unauthorized() throws java.io.IOException {
            server = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
            Thread t = new Thread(() -> {
                while (!server.isClosed()) {
                    try (java.net.Socket s = server.accept()) {
                        java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
                                s.getInputStream(), java.nio.charset.StandardCharsets.ISO_8859_1));
                        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                            if (line.regionMatches(true, 0, "Authorization:", 0, 14)) {
                                authorizations.add(line.substring(14).strip());
                            }
                        }
                        s.getOutputStream().write(("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic\r\n"
                                + "Content-Length: 0\r\nConnection: close\r\n\r\n")
                                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                    } catch (java.io.IOException e) {
                        // Closed, or the client went away.
                    }
                }
            }, "unauthorized");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() throws java.io.IOException {
            server.close();
        }
    }

    @org.junit.jupiter.api.AfterEach
    void stopUnauthorized() throws java.io.IOException {
        if (unauthorized != null) {
            unauthorized.close();
        }
    }
}
