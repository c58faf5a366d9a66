package org.chargeedge.api.management;

import java.util.List;

/**
 * A request to install or update bundles as one job: all of them are applied,
 * or none.
 *
 * @param bundles the bundles, at least one; a symbolic name at most once
 * @param allowDowngrade whether a bundle may replace a higher or equal
 *        version of itself
 * @param origin who asked, for the job's record ("shell", "http (operator from
 *        10.0.0.7)", "release stable #42")
 * @param startedBy the user or API token that asked (see {@link Job#startedBy()}); null when
 *        not known (since 1.2)
 */
public record UpdateRequest(List<BundleSource> bundles, boolean allowDowngrade, String origin, String startedBy) {

    public UpdateRequest {
        bundles = List.copyOf(bundles);
        if (bundles.isEmpty()) {
            throw new IllegalArgumentException("an update needs at least one bundle");
        }
        origin = origin == null ? "unknown" : origin;
    }

    /** A request without the one who started it, as 1.1 made them. */
    public UpdateRequest(List<BundleSource> bundles, boolean allowDowngrade, String origin) {
        this(bundles, allowDowngrade, origin, null);
    }
}
