package org.chargeedge.api.store;

import java.time.Instant;

/** A queued message: an OCPP action and its JSON payload, as the charger sent it. */
public record OutboundMessage(String chargePointId, long sequence, String action, String payloadJson,
                              Instant queuedAt) {
}
