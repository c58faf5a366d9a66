package org.chargeedge.ocpp.v16;

/** ClearCache.req: the CALL payload of {@link Action#ClearCache}. */
public record ClearCacheRequest() implements Request<ClearCacheConfirmation> {
    @Override
    public Action action() {
        return Action.ClearCache;
    }
}
