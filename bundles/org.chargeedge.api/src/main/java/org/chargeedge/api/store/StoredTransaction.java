package org.chargeedge.api.store;

import java.time.Instant;

import org.chargeedge.ocpp.v16.AuthorizationStatus;
import org.chargeedge.ocpp.v16.Reason;

/**
 * A transaction as the store keeps it.
 *
 * @param transactionId the id the gateway gave the charger
 * @param startStatus the idTag status given in the StartTransaction answer; null if the start is unknown
 * @param meterStop null while open
 * @param stoppedAt null while open
 * @param stopIdTag idTag of the StopTransaction, may be null
 * @param reason stop reason as sent, null if none was given (Local by the specification)
 * @param startUnknown true when the store learnt of the transaction from its StopTransaction only
 */
public record StoredTransaction(
        int transactionId,
        String chargePointId,
        int connectorId,
        String idTag,
        Integer meterStart,
        Instant startedAt,
        Integer reservationId,
        AuthorizationStatus startStatus,
        Integer meterStop,
        Instant stoppedAt,
        String stopIdTag,
        Reason reason,
        boolean startUnknown) {

    public boolean open() {
        return stoppedAt == null;
    }
}
