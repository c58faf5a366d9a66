package org.chargeedge.api.store;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Queued messages the upstream central system refused for good, kept for the operator: never
 * dropped, listed, and put back into the queue on request.
 */
@ProviderType
public interface ParkedMessages {

    /** A message taken out of the queue, with why and when. */
    record Parked(OutboundMessage message, String reason, Instant parkedAt) {
    }

    /** Moves a queued message out of the queue into the parked messages; completes once durable. */
    CompletionStage<Void> park(OutboundMessage message, String reason);

    /** The parked messages of a charger, in their original queue order. */
    List<Parked> parked(String chargePointId);

    /**
     * Moves every parked message of the charger back to the end of its queue, in their original
     * order; completes once durable with how many.
     */
    CompletionStage<Integer> requeue(String chargePointId);
}
