package org.chargeedge.http.internal;

import java.nio.file.Path;
import java.util.Map;

import org.chargeedge.centralsystem.internal.CentralSystemHarness;
import org.chargeedge.store.internal.SqliteStore;
import org.chargeedge.store.internal.TestStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real site for the API tests: the central system, the store plugged into
 * its handler chain, the API in Jetty over them, a viewer and an operator
 * token, and charger CP-1 connected, booted, connector 1 Available.
 */
abstract class RealSiteTestBase {

    @TempDir
    Path dir;
    CentralSystemHarness centralSystem;
    SqliteStore store;
    SiteServices site;
    ApiServer api;
    TestCharger charger;
    String viewer;
    String operator;

    @BeforeEach
    void startSite() throws Exception {
        store = TestStores.open(dir.resolve("store.db"));
        centralSystem = new CentralSystemHarness(dir.resolve("cs"));
        centralSystem.addHandler(TestStores.handler(store), TestStores.HANDLER_RANKING, "BootNotification",
                "StatusNotification", "StartTransaction", "MeterValues", "StopTransaction");
        site = SiteServices.of(centralSystem.siteView(), centralSystem.commands(), store, null, null, null);
        site.parked = store;
        site.localList = org.chargeedge.authorization.internal.TestAuthorizations.open(store,
                centralSystem.siteView());
        api = new ApiServer(dir, site, Map.of());
        // EventAdmin as the framework's posts asynchronously: here on the poster's thread, which is also never a client's
        org.chargeedge.centralsystem.internal.TestEvents.bind(centralSystem, new org.osgi.service.event.EventAdmin() {
            @Override
            public void postEvent(org.osgi.service.event.Event event) {
                api.events.handleEvent(event);
                api.eventLog.handleEvent(event);
            }

            @Override
            public void sendEvent(org.osgi.service.event.Event event) {
                postEvent(event);
            }
        });
        viewer = api.gatekeeper.users().addToken("dashboard", Role.VIEWER);
        operator = api.gatekeeper.users().addToken("operator script", Role.OPERATOR);
        charger = new TestCharger(centralSystem.url("CP-1"));
        charger.call("BootNotification", "{\"chargePointVendor\":\"Acme\",\"chargePointModel\":\"Wallbox 22\"}");
        charger.call("StatusNotification", "{\"connectorId\":1,\"errorCode\":\"NoError\",\"status\":\"Available\"}");
    }

    /**
     * Each query (first element) on {@code path} is answered 400 with an error that contains the second
     * element; the charger received nothing meanwhile.
     */
    void assertRefused(String path, java.util.List<java.util.List<String>> queriesAndErrors) throws Exception {
        for (java.util.List<String> bad : queriesAndErrors) {
            java.net.http.HttpResponse<String> r = api.send(api.get(path + bad.get(0), viewer));
            org.assertj.core.api.Assertions.assertThat(r.statusCode()).as(bad.get(0)).isEqualTo(400);
            org.assertj.core.api.Assertions.assertThat(AuthenticationTest.json(r).get("error").asText())
                    .as(bad.get(0)).contains(bad.get(1));
        }
        org.assertj.core.api.Assertions.assertThat(charger.received).isEmpty();
    }

    @AfterEach
    void stopSite() throws Exception {
        charger.close();
        api.close();
        centralSystem.close();
        TestStores.close(store);
    }
}
