package org.chargeedge.api.store;

import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The persistent map between the transaction ids the gateway gives its chargers and the ids the
 * upstream central system (CSMS) gives the same transactions, with the queueing of the two
 * messages that must reach the CSMS exactly once per transaction: its StartTransaction and its
 * StopTransaction. Each queueing and its record happen in one durable write, so a crash can
 * leave neither a message without its record nor the reverse.
 */
@ProviderType
public interface TransactionIdMap {

    /**
     * Queues a charger's StartTransaction on the {@link OutboundQueue} under {@code gatewayId},
     * unless the same start (same charger and {@code startKey}, a resend after a lost answer) was
     * queued before. Completes once durable with the gateway id the start has: {@code gatewayId},
     * or the id given at its first arrival.
     */
    CompletionStage<Integer> queueStart(String chargePointId, String startKey, int gatewayId, String payloadJson);

    /**
     * Queues a charger's StopTransaction for {@code gatewayId} unless a stop of that transaction
     * was queued before. Completes once durable: true when queued now, false for a repeat.
     */
    CompletionStage<Boolean> queueStop(String chargePointId, int gatewayId, String payloadJson);

    /** The gateway id under which a start with this key was queued, if it was. */
    OptionalInt startedAs(String chargePointId, String startKey);

    /** Records the CSMS's id of a transaction; completes once durable. */
    CompletionStage<Void> map(String chargePointId, int gatewayId, int csmsId);

    /** The CSMS's id of a gateway transaction, if the CSMS answered its StartTransaction. */
    OptionalInt csmsId(int gatewayId);

    /** The gateway's id of a transaction the CSMS knows as {@code csmsId} on that charger. */
    OptionalInt gatewayId(String chargePointId, int csmsId);
}
