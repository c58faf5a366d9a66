package org.chargeedge.api.authorization;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

import org.chargeedge.ocpp.v16.AuthorizationData;
import org.chargeedge.ocpp.v16.IdTagInfo;
import org.osgi.annotation.versioning.ProviderType;

/** Durable storage of the list and the cache (provided by the store). */
@ProviderType
public interface AuthorizationRepository {

    /** The stored list, version 0 and no entries when none was stored. */
    StoredList loadList();

    /** Replaces the stored list; completes when durable. */
    CompletionStage<Void> saveList(int version, List<AuthorizationData> entries);

    Map<String, CachedIdTag> loadCache();

    CompletionStage<Void> saveCacheEntry(String idTag, IdTagInfo info, Instant cachedAt);

    CompletionStage<Void> clearCache();

    record StoredList(int version, List<AuthorizationData> entries) {
        public StoredList {
            entries = List.copyOf(entries);
        }
    }

    record CachedIdTag(IdTagInfo info, Instant cachedAt) {
    }
}
