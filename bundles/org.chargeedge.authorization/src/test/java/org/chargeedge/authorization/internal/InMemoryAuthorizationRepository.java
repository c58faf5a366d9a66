package org.chargeedge.authorization.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.chargeedge.api.authorization.AuthorizationRepository;
import org.chargeedge.ocpp.v16.AuthorizationData;
import org.chargeedge.ocpp.v16.IdTagInfo;

/**
 * The repository as a test double: what a store would keep, in memory, with
 * a switch to make writes fail. Synchronized because the interop tests write
 * from WebSocket threads while the test thread reads.
 */
final class InMemoryAuthorizationRepository implements AuthorizationRepository {

    private StoredList list = new StoredList(0, List.of());
    private final Map<String, CachedIdTag> cache = new HashMap<>();
    private RuntimeException failWrites;
    private final List<String> writes = new ArrayList<>();

    synchronized void failWrites(RuntimeException failure) {
        this.failWrites = failure;
    }

    /** Stores a list as-is, bypassing every check (for corrupted-data tests). */
    synchronized void storeRaw(int version, List<AuthorizationData> entries) {
        list = new StoredList(version, entries);
    }

    synchronized List<String> writes() {
        return List.copyOf(writes);
    }

    @Override
    public synchronized StoredList loadList() {
        return list;
    }

    @Override
    public synchronized CompletionStage<Void> saveList(int version, List<AuthorizationData> entries) {
        writes.add("saveList " + version);
        if (failWrites != null) {
            return CompletableFuture.failedFuture(failWrites);
        }
        list = new StoredList(version, entries);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized Map<String, CachedIdTag> loadCache() {
        return Map.copyOf(cache);
    }

    @Override
    public synchronized CompletionStage<Void> saveCacheEntry(String idTag, IdTagInfo info, Instant cachedAt) {
        writes.add("saveCacheEntry " + idTag);
        if (failWrites != null) {
            return CompletableFuture.failedFuture(failWrites);
        }
        cache.put(idTag, new CachedIdTag(info, cachedAt));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized CompletionStage<Void> clearCache() {
        writes.add("clearCache");
        if (failWrites != null) {
            return CompletableFuture.failedFuture(failWrites);
        }
        cache.clear();
        return CompletableFuture.completedFuture(null);
    }
}
