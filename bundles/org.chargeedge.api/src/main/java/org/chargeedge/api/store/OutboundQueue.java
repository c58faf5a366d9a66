package org.chargeedge.api.store;

import java.util.List;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A durable, ordered queue of messages per charger, waiting to be delivered
 * upstream. Sequence numbers increase per charger in append order and are
 * never reused.
 */
@ProviderType
public interface OutboundQueue {

    /** Appends a message; completes with its sequence number once durable. */
    CompletionStage<Long> append(String chargePointId, String action, String payloadJson);

    /** The oldest {@code max} messages of a charger still queued, in order. */
    List<OutboundMessage> peek(String chargePointId, int max);

    /** Removes every message of the charger up to and including {@code sequence}; completes once durable. */
    CompletionStage<Void> acknowledge(String chargePointId, long sequence);

    /** How many messages wait for the charger. */
    int depth(String chargePointId);
}
