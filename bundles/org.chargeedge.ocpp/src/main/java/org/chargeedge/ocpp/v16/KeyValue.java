package org.chargeedge.ocpp.v16;

import org.chargeedge.ocpp.v16.Spec.CiString;
import org.chargeedge.ocpp.v16.Spec.Optional;

/** One configuration key in GetConfiguration.conf (KeyValue). */
public record KeyValue(
        @CiString(50) String key,
        boolean readonly,
        @Optional @CiString(500) String value) {
}
