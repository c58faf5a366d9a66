package org.chargeedge.api.store;

import java.time.Instant;

import org.chargeedge.ocpp.v16.SampledValue;

/**
 * One sampled value as the store keeps it: from a MeterValues request, or from the transaction data
 * of a StopTransaction.
 *
 * @param connectorId the connector it was measured at (0: the whole charger)
 * @param transactionId the transaction the charger named, null when none
 * @param sampledAt the MeterValue's timestamp, as the charger sent it
 * @param sampledValue the value with its measurand, phase, unit and the rest, as the charger sent it
 * @since 2.3
 */
public record StoredMeterValue(int connectorId, Integer transactionId, Instant sampledAt,
                               SampledValue sampledValue) {
}
