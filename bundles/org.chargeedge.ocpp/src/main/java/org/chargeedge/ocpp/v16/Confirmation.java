package org.chargeedge.ocpp.v16;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The payload of an OCPP 1.6 CALLRESULT. Implementations are immutable records,
 * one per action, named {@code <Action>Confirmation}.
 */
@ProviderType
public interface Confirmation {
    /** The action this confirmation answers. */
    Action action();
}
