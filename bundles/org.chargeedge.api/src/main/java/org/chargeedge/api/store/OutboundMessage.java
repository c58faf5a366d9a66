package org.chargeedge.api.store;

import java.time.Instant;

/**
 * A journaled message: an OCPP action and its JSON payload, as the charger sent it.
 *
 * @param transactionId the gateway's transaction id the message belongs to: the id the store gave a
 *        StartTransaction, the one a MeterValues or StopTransaction names; null when none
 */
public record OutboundMessage(String chargePointId, long sequence, String action, String payloadJson,
                              Instant queuedAt, Integer transactionId) {
}
