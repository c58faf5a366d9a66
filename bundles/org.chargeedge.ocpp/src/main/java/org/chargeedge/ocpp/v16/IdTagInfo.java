package org.chargeedge.ocpp.v16;

import java.time.Instant;
import org.chargeedge.ocpp.v16.Spec.CiString;
import org.chargeedge.ocpp.v16.Spec.Optional;

/** Authorization status of an identifier (IdTagInfo). */
public record IdTagInfo(
        @Optional Instant expiryDate,
        @Optional @CiString(20) String parentIdTag,
        AuthorizationStatus status) {
    /** Just a status, without expiry date or parent identifier. */
    public static IdTagInfo of(AuthorizationStatus status) {
        return new IdTagInfo(null, null, status);
    }
}
