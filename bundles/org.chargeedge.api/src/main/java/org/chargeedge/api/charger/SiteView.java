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
}
