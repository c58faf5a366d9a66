package org.chargeedge.api.store;

import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The persistent map between the transaction ids the gateway gives its chargers and the ids the
 * upstream central system (CSMS) gives the same transactions.
 */
@ProviderType
public interface TransactionIdMap {

    /** Records the CSMS's id of a transaction; completes once durable. */
    CompletionStage<Void> map(String chargePointId, int gatewayId, int csmsId);

    /** The CSMS's id of a gateway transaction, if the CSMS answered its StartTransaction. */
    OptionalInt csmsId(int gatewayId);

    /** The gateway's id of a transaction the CSMS knows as {@code csmsId} on that charger. */
    OptionalInt gatewayId(String chargePointId, int csmsId);
}
