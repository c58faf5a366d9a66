package org.chargeedge.api.charger;

import java.time.Instant;

import org.chargeedge.ocpp.v16.MeterValue;

/**
 * A transaction the gateway has started and not yet seen stopped.
 *
 * @param transactionId the id the gateway gave the charger
 * @param connectorId connector it runs on
 * @param idTag the idTag that started it
 * @param meterStart energy register at start, Wh
 * @param startedAt the charger's start timestamp
 * @param latestMeterValue newest meter value sent for this transaction, may be null
 */
public record TransactionInfo(
        int transactionId,
        int connectorId,
        String idTag,
        int meterStart,
        Instant startedAt,
        MeterValue latestMeterValue) {

    public TransactionInfo withMeterValue(MeterValue meterValue) {
        return new TransactionInfo(transactionId, connectorId, idTag, meterStart, startedAt, meterValue);
    }
}
