package org.chargeedge.api.store;

import java.util.List;
import java.util.OptionalLong;
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

    /**
     * Appends a message unless it repeats the last one appended on the same {@code stream} of the
     * charger with an identical payload: a charger sending a message again because it lost the
     * answer. A stream is the caller's name for a run of messages a repeat is looked for in, for
     * example the MeterValues of one connector. Completes once durable with the new sequence
     * number, or empty for a repeat (nothing appended).
     *
     * @since 1.2
     */
    CompletionStage<OptionalLong> appendUnlessRepeated(String chargePointId, String stream, String action,
                                                      String payloadJson);

    /**
     * Counts one more refusal of a queued message by its recipient. The count is durable: a restart
     * does not give a refused message its attempts again. Completes once durable with the number of
     * refusals so far, or 0 when the message is no longer queued.
     *
     * @since 1.2
     */
    CompletionStage<Integer> countRefusal(String chargePointId, long sequence);

    /**
     * The chargers with messages queued, in charge point id order.
     *
     * @since 1.2
     */
    List<String> chargersWithMessages();

    /** The oldest {@code max} messages of a charger still queued, in order. */
    List<OutboundMessage> peek(String chargePointId, int max);

    /** Removes every message of the charger up to and including {@code sequence}; completes once durable. */
    CompletionStage<Void> acknowledge(String chargePointId, long sequence);

    /** How many messages wait for the charger. */
    int depth(String chargePointId);
}
