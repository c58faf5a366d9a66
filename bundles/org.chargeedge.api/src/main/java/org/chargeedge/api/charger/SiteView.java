package org.chargeedge.api.charger;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The live state of the site's chargers: every charger seen since the gateway
 * started, connected or not. Snapshots are immutable; ask again for news, or
 * follow the {@link ChargerEvents} topics.
 */
@ProviderType
public interface SiteView {

    /** All chargers, ordered by charge point id. */
    List<ChargerInfo> chargers();

    Optional<ChargerInfo> charger(String chargePointId);

    /**
     * Whether the site's required parts (call handlers carrying
     * {@link ChargerCallHandler#SITE_PART}) are all there, so that chargers'
     * calls are answered by the whole handler chain.
     *
     * <p>The default, for implementations that do not track parts, is a site
     * that requires nothing and is therefore ready, since an unknown time.
     *
     * @since 1.2
     */
    default SiteReadiness readiness() {
        return new SiteReadiness(true, List.of(), List.of(), null);
    }
}
