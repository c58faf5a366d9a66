package org.chargeedge.authorization.internal;

import org.chargeedge.ocpp.v16.AuthorizationStatus;

/** The answer for an idTag neither the list nor the cache knows. */
public enum UnknownIdTagStatus {
    /** Only known cards charge. */
    Invalid(AuthorizationStatus.Invalid),
    /** A free-charging site: any card charges (blocked or expired known cards still do not). */
    Accepted(AuthorizationStatus.Accepted);

    final AuthorizationStatus status;

    UnknownIdTagStatus(AuthorizationStatus status) {
        this.status = status;
    }
}
