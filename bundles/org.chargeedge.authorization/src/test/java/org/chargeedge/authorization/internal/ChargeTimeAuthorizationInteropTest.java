package org.chargeedge.authorization.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.chargeedge.api.charger.ChargerCallHandler;
import org.chargeedge.centralsystem.internal.AuthorizationPolicy;
import org.chargeedge.centralsystem.internal.CentralSystemHarness;
import org.chargeedge.ocpp.v16.AuthorizationData;
import org.chargeedge.ocpp.v16.SendLocalListRequest;
import org.chargeedge.ocpp.v16.StartTransactionConfirmation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import eu.chargetime.ocpp.model.core.AuthorizationStatus;
import eu.chargetime.ocpp.model.core.AuthorizeConfirmation;
import eu.chargetime.ocpp.model.core.IdTagInfo;
import eu.chargetime.ocpp.model.core.StartTransactionRequest;
import eu.chargetime.ocpp.model.core.StopTransactionConfirmation;
import eu.chargetime.ocpp.model.core.StopTransactionRequest;
import eu.chargetime.ocpp.model.localauthlist.UpdateType;

/**
 * The gateway's local authorization against a charger built on ChargeTimeEU's
 * independent OCPP 1.6J implementation, through the real central system with
 * its built-in policy left at AcceptAll: the local decision must win.
 */
class ChargeTimeAuthorizationInteropTest {

    private static final ZonedDateTime AT = ZonedDateTime.of(2030, 1, 1, 10, 0, 0, 0, ZoneOffset.UTC);

    @TempDir
    Path dataDir;

    private CentralSystemHarness harness;
    private LocalAuthorization authorization;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        harness = new CentralSystemHarness(dataDir, Map.of("authorizationPolicy", AuthorizationPolicy.AcceptAll));
        authorization = new LocalAuthorization(TestSupport.config(), new InMemoryAuthorizationRepository(),
                harness.siteView(), java.time.Clock.systemUTC(), null);
        assertThat(authorization.update(new SendLocalListRequest(7, List.of(
                data("GOOD", null, null, org.chargeedge.ocpp.v16.AuthorizationStatus.Accepted),
                data("BLOCKED", null, null, org.chargeedge.ocpp.v16.AuthorizationStatus.Blocked),
                data("OLD", Instant.parse("2020-01-01T00:00:00Z"), null,
                        org.chargeedge.ocpp.v16.AuthorizationStatus.Accepted),
                data("DRIVER-1", null, "FLEET", org.chargeedge.ocpp.v16.AuthorizationStatus.Accepted),
                data("DRIVER-2", null, "FLEET", org.chargeedge.ocpp.v16.AuthorizationStatus.Accepted),
                data("OTHER", null, "ELSEWHERE", org.chargeedge.ocpp.v16.AuthorizationStatus.Accepted)),
                org.chargeedge.ocpp.v16.UpdateType.Full))).isEqualTo(org.chargeedge.ocpp.v16.UpdateStatus.Accepted);
        harness.addHandler(new AuthorizationHandler(authorization, harness.siteView()), 500,
                "Authorize", "StartTransaction", "StopTransaction");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        harness.close();
    }

    private static AuthorizationData data(String idTag, Instant expiry, String parent,
                                          org.chargeedge.ocpp.v16.AuthorizationStatus status) {
        return new AuthorizationData(idTag, new org.chargeedge.ocpp.v16.IdTagInfo(expiry, parent, status));
    }

    private LocalListCharger charger(String id) throws Exception {
        LocalListCharger charger = LocalListCharger.connect("ws://127.0.0.1:" + harness.port() + "/ocpp", id);
        toClose.add(charger);
        charger.send(charger.core.createBootNotificationRequest("VendorX", "ModelY"));
        return charger;
    }

    private static AuthorizationStatus authorize(LocalListCharger cp, String idTag) throws Exception {
        AuthorizeConfirmation conf = cp.send(cp.core.createAuthorizeRequest(idTag));
        return conf.getIdTagInfo().getStatus();
    }

    private static eu.chargetime.ocpp.model.core.StartTransactionConfirmation start(LocalListCharger cp,
            int connector, String idTag) throws Exception {
        StartTransactionRequest request = cp.core.createStartTransactionRequest(connector, idTag, 1000, AT);
        return cp.send(request);
    }

    private static StopTransactionConfirmation stop(LocalListCharger cp, int transactionId, String idTag)
            throws Exception {
        StopTransactionRequest request = cp.core.createStopTransactionRequest(2000, AT.plusHours(1), transactionId);
        if (idTag != null) {
            request.setIdTag(idTag);
        }
        return cp.send(request);
    }

    @Test
    void theChargerIsAuthorizedByTheLocalListNotByTheBuiltInPolicy() throws Exception {
        LocalListCharger cp = charger("CT-AUTH");

        assertThat(authorize(cp, "GOOD")).isEqualTo(AuthorizationStatus.Accepted);
        assertThat(authorize(cp, "good")).isEqualTo(AuthorizationStatus.Accepted);
        assertThat(authorize(cp, "BLOCKED")).isEqualTo(AuthorizationStatus.Blocked);
        assertThat(authorize(cp, "OLD")).isEqualTo(AuthorizationStatus.Expired);
        assertThat(authorize(cp, "UNKNOWN")).isEqualTo(AuthorizationStatus.Invalid);

        // A charger may start without Authorize: StartTransaction is checked too, and still gets its id.
        eu.chargetime.ocpp.model.core.StartTransactionConfirmation unknown = start(cp, 2, "UNKNOWN");
        assertThat(unknown.getIdTagInfo().getStatus()).isEqualTo(AuthorizationStatus.Invalid);
        assertThat(unknown.getTransactionId()).isPositive();
        assertThat(authorization.cacheEntries()).as("the built-in policy's AcceptAll is not cached").isEmpty();
    }

    @Test
    void aSessionStartsAndStopsAndASecondStartOfTheCardIsConcurrentTx() throws Exception {
        LocalListCharger cp = charger("CT-SESSION");

        eu.chargetime.ocpp.model.core.StartTransactionConfirmation started = start(cp, 1, "DRIVER-1");
        assertThat(started.getIdTagInfo().getStatus()).isEqualTo(AuthorizationStatus.Accepted);
        assertThat(started.getIdTagInfo().getParentIdTag()).isEqualTo("FLEET");
        int txId = started.getTransactionId();
        assertThat(harness.siteView().charger("CT-SESSION").orElseThrow().transaction(txId)).isPresent();

        assertThat(start(cp, 2, "driver-1").getIdTagInfo().getStatus()).isEqualTo(AuthorizationStatus.ConcurrentTx);

        // A card of the same group stops it.
        StopTransactionConfirmation stopped = stop(cp, txId, "DRIVER-2");
        assertThat(stopped.getIdTagInfo().getStatus()).isEqualTo(AuthorizationStatus.Accepted);
        assertThat(harness.siteView().charger("CT-SESSION").orElseThrow().transaction(txId)).isEmpty();
    }

    @Test
    void stopsAreAnsweredForBlockedCardsOutsiderCardsAndWithoutCard() throws Exception {
        LocalListCharger cp = charger("CT-STOP");
        int first = start(cp, 1, "GOOD").getTransactionId();
        int second = start(cp, 2, "DRIVER-1").getTransactionId();

        // OCPP leaves the stop to the charger: an outsider card's stop is answered (and logged), as its own status.
        assertThat(stop(cp, second, "OTHER").getIdTagInfo().getStatus()).isEqualTo(AuthorizationStatus.Accepted);
        assertThat(stop(cp, first, null).getIdTagInfo()).isNull();
        int third = start(cp, 1, "GOOD").getTransactionId();
        assertThat(stop(cp, third, "BLOCKED").getIdTagInfo().getStatus()).isEqualTo(AuthorizationStatus.Blocked);
    }

    @Test
    void authpushSendsTheListToTheCharger() throws Exception {
        LocalListCharger cp = charger("CT-PUSH");
        AuthorizationShellCommands shell = new AuthorizationShellCommands(authorization, harness.commands(),
                harness.siteView());

        String out = shell.authpush("CT-PUSH");

        assertThat(out).contains("version 7, 6 entries").containsPattern("CT-PUSH +Accepted");
        assertThat(cp.listVersion()).isEqualTo(7);
        assertThat(cp.lastUpdateType()).isEqualTo(UpdateType.Full);
        assertThat(cp.list()).containsOnlyKeys("GOOD", "BLOCKED", "OLD", "DRIVER-1", "DRIVER-2", "OTHER");
        IdTagInfo old = cp.list().get("OLD");
        assertThat(old.getStatus()).isEqualTo(AuthorizationStatus.Accepted);
        assertThat(old.getExpiryDate().toInstant()).isEqualTo(Instant.parse("2020-01-01T00:00:00Z"));
        assertThat(cp.list().get("DRIVER-2").getParentIdTag()).isEqualTo("FLEET");
        assertThat(shell.authpush("NOT-CONNECTED")).containsPattern("NOT-CONNECTED +Failed");
    }
}
