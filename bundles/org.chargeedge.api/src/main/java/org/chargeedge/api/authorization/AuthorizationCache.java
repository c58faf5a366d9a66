package org.chargeedge.api.authorization;

import java.util.Optional;

import org.chargeedge.ocpp.v16.IdTagInfo;
import org.osgi.annotation.versioning.ProviderType;

/** The Authorization Cache: the last IdTagInfo seen for each idTag. */
@ProviderType
public interface AuthorizationCache {

    /** The cached info, if present and not expired. */
    Optional<IdTagInfo> get(String idTag);

    void put(String idTag, IdTagInfo info);

    /** ClearCache. */
    void clear();
}
