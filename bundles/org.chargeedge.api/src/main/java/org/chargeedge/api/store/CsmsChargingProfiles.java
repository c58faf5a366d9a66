package org.chargeedge.api.store;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The charging profiles the CSMS set on the chargers, kept durably: the gateway answers the CSMS's
 * smart-charging calls in the chargers' place and applies these profiles as upper bounds. Which
 * profile replaces which is the caller's decision (OCPP 1.6 rules); the store keeps what it is given.
 *
 * @since 2.3
 */
@ProviderType
public interface CsmsChargingProfiles {

    /**
     * Stores {@code profile} and, in the same commit, removes the charger's profiles with the ids in
     * {@code replaced}; completes once durable. A profile of the same charger and id is replaced.
     */
    CompletionStage<Void> putProfile(CsmsChargingProfile profile, Collection<Integer> replaced);

    /** Removes the charger's profiles with these ids (unknown ids are ignored); completes once durable. */
    CompletionStage<Void> removeProfiles(String chargePointId, Collection<Integer> profileIds);

    /** Every profile kept, of every charger, by charger and profile id. */
    List<CsmsChargingProfile> profiles();
}
