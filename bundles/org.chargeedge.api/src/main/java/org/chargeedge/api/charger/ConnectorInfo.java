package org.chargeedge.api.charger;

import java.time.Instant;

import org.chargeedge.ocpp.v16.ChargePointErrorCode;
import org.chargeedge.ocpp.v16.ChargePointStatus;
import org.chargeedge.ocpp.v16.MeterValue;

/**
 * A connector as its last StatusNotification and MeterValues described it.
 *
 * @param connectorId 0 for the charge point as a whole
 * @param status last reported status; null until the first StatusNotification
 * @param errorCode last reported error code
 * @param info free text the charger sent with the status, may be null
 * @param vendorErrorCode vendor-specific error code, may be null
 * @param statusTimestamp the charger's timestamp of the status, or the receive time if it gave none
 * @param latestMeterValue the newest meter value received for this connector, may be null
 */
public record ConnectorInfo(
        int connectorId,
        ChargePointStatus status,
        ChargePointErrorCode errorCode,
        String info,
        String vendorErrorCode,
        Instant statusTimestamp,
        MeterValue latestMeterValue) {

    public ConnectorInfo withMeterValue(MeterValue meterValue) {
        return new ConnectorInfo(connectorId, status, errorCode, info, vendorErrorCode, statusTimestamp, meterValue);
    }
}
