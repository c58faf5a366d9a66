package org.chargeedge.ocpp.v16;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Implemented by every enumeration of this package. Most constants are spelled
 * exactly like their wire value; where the wire value is not a Java identifier
 * (e.g. {@code "Energy.Active.Import.Register"}, {@code "L1-N"}) the constant has
 * a readable name and {@link #value()} gives the wire spelling.
 */
@ProviderType
public interface OcppEnum {
    /** The value exactly as OCPP 1.6 spells it on the wire. */
    default String value() {
        return ((Enum<?>) this).name();
    }
}
