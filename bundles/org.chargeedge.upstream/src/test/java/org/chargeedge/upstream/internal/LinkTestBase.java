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

import org.chargeedge.api.authorization.LocalAuthorizationList;
import org.chargeedge.api.upstream.UpstreamStatus;
import org.chargeedge.centralsystem.internal.CentralSystemHarness;
import org.chargeedge.store.internal.SqliteStore;
import org.chargeedge.store.internal.TestStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
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
import eu.chargetime.ocpp.model.core.StopTransactionRequest;

/**
 * Real peers for the link's tests: a ChargeTimeEU charger on the gateway's real central system with
 * the real store, and a ChargeTimeEU central system as the CSMS behind a relay the test cuts to
 * make outages.
 */
abstract class LinkTestBase {

    static final String CP = "CP-1";
    static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    Csms csms;
    Outage relay;
    SqliteStore store;
    CentralSystemHarness centralSystem;
    UpstreamLinks links;
    TestCharger charger;
    /** The CSMS's profiles as the running link component has them (read from the store when it starts). */
    CsmsProfiles profiles;
    /** The services of the running link component. */
    private Services services;
    static final double VOLTAGE = 230;

    /** The running test's method name, for settings that differ per test. */
    String testName;

    @BeforeEach
    void start(TestInfo info) throws Exception {
        testName = info.getTestMethod().map(java.lang.reflect.Method::getName).orElse("");
        csms = newCsms();
        relay = new Outage(csms.port());
        store = TestStores.open(dir.resolve("store.db"));
        centralSystem = new CentralSystemHarness(dir.resolve("centralsystem"));
        centralSystem.addHandler(TestStores.handler(store), TestStores.HANDLER_RANKING, "BootNotification",
                "StatusNotification", "StartTransaction", "MeterValues", "StopTransaction");
        links = newLinks();
    }

    /** The CSMS the relay leads to; tests that need another (TLS, passwords) override. */
    Csms newCsms() throws Exception {
        return new Csms();
    }

    /**
     * The link component as it starts: its handler registered, then started. For a {@code wss://}
     * URL, with the trust of {@code caFile}, the client certificate, and the HTTP clients made from
     * them, as the component makes them.
     */
    private UpstreamLinks newLinks() {
        Settings settings = settings("ws://127.0.0.1:" + relay.port() + "/ocpp");
        Trust trust = null;
        LinkClients clients = LinkClients.of(HttpClient.newHttpClient());
        if (settings.url().startsWith("wss://")) {
            try {
                trust = Trust.of(settings);
            } catch (ConfigurationProblem p) {
                throw new IllegalStateException(p);
            }
            clients = new LinkClients(trust, settings.callTimeout());
        }
        services = new Services(centralSystem.commands(), centralSystem.siteView(), linkStore(), store,
                store, store, this::localList, this::cache, profiles = new CsmsProfiles(store, centralSystem.siteView(),
                this::gatewayLimits, VOLTAGE, java.time.Clock.systemUTC()));
        ProblemLog problems = problemLog();
        UpstreamLinks created = problems == null ? new UpstreamLinks(settings, services, clients, trust)
                : new UpstreamLinks(settings, services, clients, trust, problems);
        centralSystem.addHandler(created, UpstreamLinks.TRANSACTION_RANKING, UpstreamLinks.TRANSACTION_ACTIONS);
        centralSystem.addHandler(created, UpstreamLinks.FORWARD_RANKING, UpstreamLinks.FORWARDED_ACTIONS);
        centralSystem.setUpstreamStatus(created);
        created.start();
        return created;
    }

    /** Stops the link component and starts a new one on the same store, as a restart or an update does. */
    void restartLinks() {
        stopLinks();
        startLinks();
    }

    /** The link component goes away (its bundle stopped, being updated or reinstalled). */
    void stopLinks() {
        centralSystem.removeHandler(links);
        links.close();
    }

    /** The link component comes (back). */
    void startLinks() {
        links = newLinks();
    }

    /** The link's settings; tests that need others override. */
    Settings settings(String url) {
        return Settings.forTest(url);
    }

    /** The store as the links read it; tests that make it slower override. */
    org.chargeedge.api.store.SiteStore linkStore() {
        return store;
    }

    /** Where the links write their connection problems; null: the link's logger, as in the component. */
    ProblemLog problemLog() {
        return null;
    }

    /** The gateway's list the link updates on SendLocalList; none unless a test has one. */
    LocalAuthorizationList localList() {
        return null;
    }

    Services services() {
        return services;
    }

    /** The balancer's limits the composite schedule includes, if a test has them; null by default. */
    org.chargeedge.api.smartcharging.GatewayLimits gatewayLimits() {
        return null;
    }

    /** The authorization cache the link feeds, if a test has one; null by default. */
    org.chargeedge.api.authorization.AuthorizationCache cache() {
        return null;
    }

    @AfterEach
    void stop() {
        if (charger != null) {
            charger.close();
        }
        links.close();
        centralSystem.close();
        TestStores.close(store);
        relay.close();
        csms.close();
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    static ZonedDateTime at(int minute) {
        return ZonedDateTime.of(2025, 3, 1, 10, minute, 0, 0, ZoneOffset.UTC);
    }

    /** Connects the charger; with {@code online}, waits until its link is up and ready. */
    void connect(boolean online) throws Exception {
        charger = TestCharger.connect(centralSystem.port(), CP);
        charger.send(charger.core.createHeartbeatRequest());
        if (online) {
            await("the charger's upstream link", () -> csms.connected(CP) && links.online(CP));
        }
    }

    /** The charger goes away: its connection closes, and the site view shows it gone. */
    void leave() throws InterruptedException {
        charger.close();
        charger = null;
        await("the charger gone", () -> !centralSystem.siteView().charger(CP).orElseThrow().connected());
    }

    UpstreamStatus.Link link() {
        return links.link(CP).orElseThrow();
    }

    int start(String idTag, int minute) throws Exception {
        StartTransactionConfirmation conf = charger.send(charger.core.createStartTransactionRequest(1, idTag, 1000,
                at(minute)));
        return conf.getTransactionId();
    }

    void meterValues(int transactionId, int minute, String value) throws Exception {
        MeterValuesRequest mv = charger.core.createMeterValuesRequest(1, at(minute), value);
        mv.setTransactionId(transactionId);
        charger.send(mv);
    }

    void stopTx(int transactionId, int minute) throws Exception {
        charger.send(charger.core.createStopTransactionRequest(2000, at(minute), transactionId));
    }

    /** What the CSMS received of the transaction messages, as "Action:transactionId:detail". */
    List<String> transactionTrail() {
        return csms.received.stream().filter(r -> r.chargePointId().equals(CP)).map(r -> {
            if (r.request() instanceof StartTransactionRequest s) {
                return "Start:" + s.getIdTag() + ":" + s.getTimestamp().toInstant();
            }
            if (r.request() instanceof MeterValuesRequest m) {
                return "MeterValues:" + m.getTransactionId() + ":" + m.getMeterValue()[0].getSampledValue()[0].getValue()
                        + ":" + m.getMeterValue()[0].getTimestamp().toInstant();
            }
            if (r.request() instanceof StopTransactionRequest s) {
                return "Stop:" + s.getTransactionId() + ":" + s.getTimestamp().toInstant();
            }
            return null;
        }).filter(s -> s != null).toList();
    }
}
