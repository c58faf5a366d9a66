package org.chargeedge.upstream.internal;

import java.net.http.HttpClient;
import java.util.List;
import java.util.Optional;

import org.chargeedge.api.charger.ChargerInfo;
import org.chargeedge.api.charger.SiteView;
import org.chargeedge.store.internal.SqliteStore;

/** Opens the link of one charger on a store, outside the framework, for the replay benchmark. */
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
                store, () -> null, () -> null), HttpClient.newHttpClient());
        links.connected(chargePointId);
        return links;
    }
}
