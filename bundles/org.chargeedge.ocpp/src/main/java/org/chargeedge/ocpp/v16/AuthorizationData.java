package org.chargeedge.ocpp.v16;

import org.chargeedge.ocpp.v16.Spec.CiString;
import org.chargeedge.ocpp.v16.Spec.Optional;

/** One entry of a local authorization list (AuthorizationData). */
public record AuthorizationData(
        @CiString(20) String idTag,
        @Optional IdTagInfo idTagInfo) {
}
