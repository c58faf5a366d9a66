package org.chargeedge.upstream.internal;

import java.net.http.HttpClient;
import java.time.Clock;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.chargeedge.api.charger.ChargerInfo;
import org.chargeedge.api.charger.SiteView;
import org.chargeedge.centralsystem.internal.CentralSystemHarness;
import org.chargeedge.store.internal.SqliteStore;
import org.chargeedge.store.internal.TestStores;

/** Opens upstream links on a store, outside the framework, for the benchmarks. */
public final class ReplayBenchAccess {

    private ReplayBenchAccess() {
    }

    /** The link of {@code chargePointId} to {@code url}, no rate limit; the charger never booted. */
    public static AutoCloseable link(SqliteStore store, String url, String chargePointId) {
        SiteView site = new SiteView() {
            @Override
            public List<ChargerInfo> chargers() {
                return List.of();
            }

            @Override
            public Optional<ChargerInfo> charger(String id) {
                return Optional.empty();
            }
        };
        UpstreamLinks links = new UpstreamLinks(Settings.forTest(url), new Services(null, site, store, store, store,
                store, () -> null, () -> null, new CsmsProfiles(store, site, () -> null, 230, Clock.systemUTC())), HttpClient.newHttpClient());
        links.connected(chargePointId);
        return links;
    }

    /** The gateway's hop as it runs: the real central system, the store's handler and the upstream link. */
    public interface Hop extends AutoCloseable {
        /** The central system's port: chargers connect to ws://127.0.0.1:{port}/ocpp/{id}. */
        int port();

        @Override
        void close();
    }

    /** The real central system on {@code dir} with the store's handler and the links to {@code url}. */
    public static Hop hop(SqliteStore store, Path dir, String url) throws Exception {
        CentralSystemHarness centralSystem = new CentralSystemHarness(dir);
        UpstreamLinks links = new UpstreamLinks(Settings.forTest(url), new Services(centralSystem.commands(),
                centralSystem.siteView(), store, store, store, store, () -> null, () -> null,
                new CsmsProfiles(store, centralSystem.siteView(), () -> null, 230, Clock.systemUTC())),
                HttpClient.newHttpClient());
        centralSystem.addHandler(TestStores.handler(store), TestStores.HANDLER_RANKING, "BootNotification",
                "StatusNotification", "StartTransaction", "MeterValues", "StopTransaction");
        centralSystem.addHandler(links, UpstreamLinks.TRANSACTION_RANKING, UpstreamLinks.TRANSACTION_ACTIONS);
        centralSystem.addHandler(links, UpstreamLinks.FORWARD_RANKING, UpstreamLinks.FORWARDED_ACTIONS);
        return new Hop() {
            @Override
            public int port() {
                return centralSystem.port();
            }

            @Override
            public void close() {
                links.close();
                centralSystem.close();
            }
        };
    }
}
