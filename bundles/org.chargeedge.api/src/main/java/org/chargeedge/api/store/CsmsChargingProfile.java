package org.chargeedge.api.store;

import java.time.Instant;
import java.util.Objects;

import org.chargeedge.ocpp.v16.ChargingProfile;

/**
 * A charging profile the upstream central system (CSMS) set on a charger, as the gateway keeps it
 * in the charger's place. A TxProfile's {@code transactionId} is the gateway's id of the
 * transaction (the charger's), never the CSMS's.
 *
 * @param chargePointId the charger
 * @param connectorId 0 for the charge point as a whole
 * @param profile the profile as the CSMS sent it, transaction id mapped
 * @param setAt when the gateway accepted it
 */
public record CsmsChargingProfile(String chargePointId, int connectorId, ChargingProfile profile, Instant setAt) {

    public CsmsChargingProfile {
        Objects.requireNonNull(chargePointId, "chargePointId");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(setAt, "setAt");
        if (connectorId < 0) {
            throw new IllegalArgumentException("connectorId " + connectorId + " < 0");
        }
    }

    public int profileId() {
        return profile.chargingProfileId();
    }
}
