package org.chargeedge.ocpp.v16;

/** ClearCache.conf: the CALLRESULT payload answering {@link Action#ClearCache}. */
public record ClearCacheConfirmation(
        ClearCacheStatus status) implements Confirmation {
    @Override
    public Action action() {
        return Action.ClearCache;
    }
}
