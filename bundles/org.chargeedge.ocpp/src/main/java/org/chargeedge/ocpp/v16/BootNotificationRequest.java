package org.chargeedge.ocpp.v16;

import org.chargeedge.ocpp.v16.Spec.CiString;
import org.chargeedge.ocpp.v16.Spec.Optional;

/** BootNotification.req: the CALL payload of {@link Action#BootNotification}. */
public record BootNotificationRequest(
        @CiString(20) String chargePointVendor,
        @CiString(20) String chargePointModel,
        @Optional @CiString(25) String chargePointSerialNumber,
        @Optional @CiString(25) String chargeBoxSerialNumber,
        @Optional @CiString(50) String firmwareVersion,
        @Optional @CiString(20) String iccid,
        @Optional @CiString(20) String imsi,
        @Optional @CiString(25) String meterType,
        @Optional @CiString(25) String meterSerialNumber) implements Request<BootNotificationConfirmation> {
    @Override
    public Action action() {
        return Action.BootNotification;
    }
}
