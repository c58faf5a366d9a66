package org.chargeedge.api.charger;

import java.util.concurrent.CompletionStage;

import org.chargeedge.ocpp.v16.Confirmation;
import org.chargeedge.ocpp.v16.Request;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Sends central-system-initiated OCPP 1.6 calls to connected chargers.
 *
 * <p>Calls to one charger are queued and sent one at a time (OCPP-J allows a
 * single outstanding CALL per direction); each is answered by a typed
 * confirmation or fails with a {@link ChargerCallException} saying why: the
 * charger is not connected (at once), the charger answered with a CALLERROR,
 * it did not answer in time, or its connection was lost.
 */
@ProviderType
public interface ChargerCommands {

    /**
     * Queues {@code request} for the charger. Never blocks.
     *
     * @throws IllegalArgumentException if the action is not one a central
     *         system may initiate (the returned stage is not created)
     */
    <C extends Confirmation> CompletionStage<C> call(String chargePointId, Request<C> request);
}
