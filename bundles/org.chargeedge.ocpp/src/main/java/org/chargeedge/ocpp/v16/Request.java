package org.chargeedge.ocpp.v16;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The payload of an OCPP 1.6 CALL. Implementations are immutable records, one
 * per action, named {@code <Action>Request}; {@code C} is the type of the
 * matching confirmation, so a caller of an action gets a typed answer.
 */
@ProviderType
public interface Request<C extends Confirmation> {
    /** The action this request belongs to. */
    Action action();
}
