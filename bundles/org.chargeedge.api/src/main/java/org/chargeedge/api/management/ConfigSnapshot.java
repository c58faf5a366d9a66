package org.chargeedge.api.management;

import java.time.Instant;
import java.util.List;

/**
 * A saved copy of every configuration, to roll back to.
 *
 * @param id its id, increasing
 * @param created when it was taken
 * @param reason why ("before changing org.chargeedge.upstream", "before job 7", or the operator's words)
 * @param pids the configurations it holds
 */
public record ConfigSnapshot(String id, Instant created, String reason, List<String> pids) {

    public ConfigSnapshot {
        pids = List.copyOf(pids);
    }
}
