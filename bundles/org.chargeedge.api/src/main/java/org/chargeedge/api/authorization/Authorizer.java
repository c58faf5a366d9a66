package org.chargeedge.api.authorization;

import org.chargeedge.ocpp.v16.IdTagInfo;
import org.osgi.annotation.versioning.ProviderType;

/** Decides locally whether an idTag may charge: local list, then cache, then the policy for unknown idTags. */
@ProviderType
public interface Authorizer {

    /**
     * The local decision for an idTag presented at a charger.
     *
     * @param startingTransaction true for StartTransaction (ConcurrentTx applies), false for Authorize
     */
    IdTagInfo authorize(String chargePointId, String idTag, boolean startingTransaction);

    /**
     * Whether {@code idTag} may stop a transaction started by {@code startIdTag}:
     * the same idTag, or one of the same parentIdTag group.
     */
    boolean mayStop(String idTag, String startIdTag);
}
