package org.chargeedge.api.store;

import java.util.List;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What must reach the upstream central system (CSMS), per charger in the order the charger sent
 * it. The store writes the journal itself: every StartTransaction, MeterValues and StopTransaction
 * it records is journaled in the same commit, whether or not an upstream link runs at that moment,
 * so no bundle update, restart or configuration change can make an acknowledged message miss the
 * CSMS. A reader (the upstream link) keeps a durable position per charger with
 * {@link #acknowledge}; delivered entries leave the journal. A charger no reader has ever
 * acknowledged for (the gateway runs without a CSMS) keeps its entries for the store's retention.
 * Sequence numbers increase per charger in journal order and are never reused.
 */
@ProviderType
public interface OutboundJournal {

    /**
     * Counts one more refusal of a journaled message by its recipient. The count is durable: a
     * restart does not give a refused message its attempts again. Completes once durable with the
     * number of refusals so far, or 0 when the message is no longer in the journal.
     */
    CompletionStage<Integer> countRefusal(String chargePointId, long sequence);

    /** The chargers with messages not yet delivered, in charge point id order. */
    List<String> chargersWithMessages();

    /** The oldest {@code max} messages of a charger not yet delivered, in order. */
    List<OutboundMessage> peek(String chargePointId, int max);

    /**
     * Moves the charger's delivered position to {@code sequence} (never back): every message up to
     * and including it leaves the journal. Completes once durable.
     */
    CompletionStage<Void> acknowledge(String chargePointId, long sequence);

    /** How many messages of the charger wait for delivery. */
    int depth(String chargePointId);
}
