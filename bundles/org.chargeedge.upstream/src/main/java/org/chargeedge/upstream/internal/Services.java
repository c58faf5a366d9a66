package org.chargeedge.upstream.internal;

import java.util.Optional;
import java.util.function.Supplier;

import org.chargeedge.api.authorization.AuthorizationCache;
import org.chargeedge.api.authorization.LocalAuthorizationList;
import org.chargeedge.api.charger.ChargerCommands;
import org.chargeedge.api.charger.SiteView;
import org.chargeedge.api.store.OutboundJournal;
import org.chargeedge.api.store.ParkedMessages;
import org.chargeedge.api.store.SiteStore;
import org.chargeedge.api.store.TransactionIdMap;

/**
 * The services a link works with; the authorization ones are optional and may come and go. {@code profiles}
 * answers the CSMS's smart-charging calls in the chargers' place.
 */
record Services(ChargerCommands commands, SiteView site, SiteStore store, OutboundJournal journal,
                TransactionIdMap ids, ParkedMessages parked, Supplier<LocalAuthorizationList> list,
                Supplier<AuthorizationCache> cache, CsmsProfiles profiles) {

    Optional<LocalAuthorizationList> localList() {
        return Optional.ofNullable(list.get());
    }

    Optional<AuthorizationCache> authorizationCache() {
        return Optional.ofNullable(cache.get());
    }
}
