package org.chargeedge.ocpp.v16;

/** UpdateFirmware.conf: the CALLRESULT payload answering {@link Action#UpdateFirmware}. */
public record UpdateFirmwareConfirmation() implements Confirmation {
    @Override
    public Action action() {
        return Action.UpdateFirmware;
    }
}
