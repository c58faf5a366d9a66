package org.chargeedge.centralsystem.internal;

/** The built-in idTag decision of a site without a local authorization list. */
public enum AuthorizationPolicy {
    /** Every idTag is Accepted: a free-charging site. */
    AcceptAll,
    /** Only the configured idTags are Accepted, others are Invalid. */
    AcceptListed,
    /** Every idTag is Invalid. */
    RejectAll
}
