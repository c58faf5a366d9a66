package org.chargeedge.ocpp.v16;

/** Result of ClearCache.req. Constants are spelled as on the wire. */
public enum ClearCacheStatus implements OcppEnum {
    Accepted,
    Rejected
}
