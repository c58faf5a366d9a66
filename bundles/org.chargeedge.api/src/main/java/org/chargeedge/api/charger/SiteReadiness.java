package org.chargeedge.api.charger;

import java.time.Instant;
import java.util.List;

/**
 * Whether the site is ready: every site part the central system requires
 * (a {@link ChargerCallHandler} with the {@link ChargerCallHandler#SITE_PART}
 * property, such as the store, local authorization and the upstream link) is
 * registered. While it is not, chargers' calls wait for the missing parts.
 *
 * @param ready true when nothing required is missing
 * @param required the required part names, in configuration order; empty when
 *        nothing is required
 * @param missing the required parts not registered now, in the same order;
 *        empty exactly when {@code ready}
 * @param since when the site became ready or not ready (wall clock), or null
 *        when not known
 * @since 1.2
 */
public record SiteReadiness(boolean ready, List<String> required, List<String> missing, Instant since) {

    public SiteReadiness {
        required = List.copyOf(required);
        missing = List.copyOf(missing);
        if (ready != missing.isEmpty()) {
            throw new IllegalArgumentException("ready is " + ready + " but missing is " + missing);
        }
        if (!required.containsAll(missing)) {
            throw new IllegalArgumentException("missing " + missing + " is not part of required " + required);
        }
    }
}
