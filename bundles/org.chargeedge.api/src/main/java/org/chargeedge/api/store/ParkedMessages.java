package org.chargeedge.api.store;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Messages kept out of the journal for the operator: never dropped, listed, and put back into the
 * queue on request. Two kinds: journaled messages the upstream central system refused for good
 * (parked by the upstream link), and, since 2.1, StopTransaction and MeterValues the store kept as
 * evidence instead of recording them, because they named a transaction not their charger's own
 * (see {@link SiteStore#transactionStopped} and {@link SiteStore#meterValues}); their reason names
 * both chargers, or says the gateway never issued the transaction.
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
     * order; completes once durable with how many. Evidence included: it then goes through the
     * upstream link like any journaled message, which sends none naming a transaction not its
     * charger's own (it parks it again), so this never makes one count for another charger's
     * transaction.
     */
    CompletionStage<Integer> requeue(String chargePointId);
}
