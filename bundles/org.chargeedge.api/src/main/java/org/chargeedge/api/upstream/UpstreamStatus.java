package org.chargeedge.api.upstream;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** The upstream link of each charger, as the operator needs to see it. */
@ProviderType
public interface UpstreamStatus {

    /**
     * One charger's link.
     *
     * @param chargePointId the charger, under the same identity upstream
     * @param connected whether the upstream WebSocket is open
     * @param connectedSince when it opened; null while down
     * @param downSince since when it is down (or since the link was created); null while connected
     * @param lastProblem the last failure (refused handshake with its HTTP status, error), null if none
     * @param queueDepth transaction messages waiting to go upstream
     * @param oldestQueued when the oldest of them was queued; null when none
     * @param failed messages the CSMS refused for good, parked for the operator
     * @param draining the charger is not connected to the gateway: the link only delivers what is
     *                 left in its queue, and closes once that is done (since 1.1)
     */
    record Link(String chargePointId, boolean connected, Instant connectedSince, Instant downSince,
                String lastProblem, int queueDepth, Instant oldestQueued, int failed, boolean draining) {

        /** A link of a connected charger (the record of version 1.0). */
        public Link(String chargePointId, boolean connected, Instant connectedSince, Instant downSince,
                    String lastProblem, int queueDepth, Instant oldestQueued, int failed) {
            this(chargePointId, connected, connectedSince, downSince, lastProblem, queueDepth, oldestQueued, failed,
                    false);
        }
    }

    /**
     * The links by charge point id: one per connected charger, and one per disconnected charger
     * whose queue is still being delivered.
     */
    List<Link> links();

    Optional<Link> link(String chargePointId);

    /** Puts the charger's parked messages back into its queue; returns how many. */
    int replayFailed(String chargePointId);
}
