package org.chargeedge.api.charger;

import java.time.Instant;

/**
 * Where an incoming CALL comes from.
 *
 * @param chargePointId the charger's identity from its connection URL
 * @param messageId the OCPP-J message id of the CALL
 * @param receivedAt when the gateway read the frame (wall clock)
 */
public record CallContext(String chargePointId, String messageId, Instant receivedAt) {
}
