package org.chargeedge.authorization.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

import org.chargeedge.api.authorization.AuthorizationCache;
import org.chargeedge.api.authorization.AuthorizationRepository;
import org.chargeedge.api.authorization.AuthorizationRepository.CachedIdTag;
import org.chargeedge.api.authorization.AuthorizationRepository.StoredList;
import org.chargeedge.api.authorization.Authorizer;
import org.chargeedge.api.authorization.LocalAuthorizationList;
import org.chargeedge.api.charger.ChargerInfo;
import org.chargeedge.api.charger.SiteView;
import org.chargeedge.authorization.internal.AuthorizationDecision.Decision;
import org.chargeedge.authorization.internal.AuthorizationDecision.Query;
import org.chargeedge.authorization.internal.AuthorizationDecision.Settings;
import org.chargeedge.authorization.internal.ListSnapshot.Result;
import org.chargeedge.ocpp.v16.AuthorizationData;
import org.chargeedge.ocpp.v16.AuthorizationStatus;
import org.chargeedge.ocpp.v16.IdTagInfo;
import org.chargeedge.ocpp.v16.SendLocalListRequest;
import org.chargeedge.ocpp.v16.UpdateStatus;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's Local Authorization List, Authorization Cache and idTag
 * decision, kept through the {@link AuthorizationRepository}.
 *
 * <p>Threads: the list and the cache are immutable snapshots in volatile
 * fields, read without locking by the WebSocket workers that answer chargers.
 * List writers (shell, file import, SendLocalList) serialise on
 * {@link #listWrite} and publish a new snapshot only after the repository
 * confirms it durable. Cache writers (the call handler, on worker threads)
 * take {@link #cacheWrite} only to copy the map and issue the repository
 * call, so the store sees puts and clears in the order memory did; they never
 * wait for the disk.
 */
@Component(configurationPid = LocalAuthorization.PID, service = {LocalAuthorizationList.class,
        AuthorizationCache.class, Authorizer.class, LocalAuthorization.class})
@Designate(ocd = Config.class)
public class LocalAuthorization implements LocalAuthorizationList, AuthorizationCache, Authorizer {

    static final String PID = "org.chargeedge.authorization";
    static final String CONFIG_DIR_PROPERTY = "chargeedge.config.dir";
    /** For a decision that is not about a connector's transaction (Authorize, the API's authorize). */
    static final int NO_CONNECTOR = -1;

    private static final Logger LOG = LoggerFactory.getLogger(LocalAuthorization.class);
    private static final Duration SAVE_TIMEOUT = Duration.ofSeconds(10);

    /** A cache entry with the idTag as first seen (the map key is the caseless form). */
    record CacheEntry(String idTag, IdTagInfo info, Instant cachedAt) {
        CachedIdTag stored() {
            return new CachedIdTag(info, cachedAt);
        }
    }

    private final AuthorizationRepository repository;
    private final SiteView site;
    private final Clock clock;
    private final Settings settings;
    private final int maxListLength;
    private final int cacheMaxEntries;

    private final ReentrantLock listWrite = new ReentrantLock();
    private volatile ListSnapshot list;

    private final Object cacheWrite = new Object();
    /** Immutable; keyed by {@link ListSnapshot#key}. */
    private volatile Map<String, CacheEntry> cache;

    @Activate
    public LocalAuthorization(Config config, @Reference AuthorizationRepository repository,
                              @Reference SiteView site, BundleContext context) {
        this(config, repository, site, Clock.systemUTC(), configDir(context));
    }

    /** @param configDir where {@value ListFile#NAME} may be; null for none */
    LocalAuthorization(Config config, AuthorizationRepository repository, SiteView site, Clock clock,
                       Path configDir) {
        this.repository = repository;
        this.site = site;
        this.clock = clock;
        this.settings = new Settings(config.localAuthListEnabled(), config.authorizationCacheEnabled(),
                Duration.ofSeconds(config.cacheLifetime()), config.localAuthorizeOffline(),
                config.localPreAuthorize(), config.allowOfflineTxForUnknownId(), config.unknownIdTagStatus().status,
                config.allowConcurrentTransactions());
        this.maxListLength = config.maxListLength();
        this.cacheMaxEntries = config.cacheMaxEntries();
        this.list = loadList();
        this.cache = loadCache();
        if (configDir != null) {
            importFile(configDir.resolve(ListFile.NAME));
        }
        LOG.info("Local authorization: list {} (version {}, {} entries), cache {} ({} entries), unknown idTags {}",
                settings.localAuthListEnabled() ? "enabled" : "disabled", list.version(), list.size(),
                settings.authorizationCacheEnabled() ? "enabled" : "disabled", cache.size(),
                settings.allowOfflineTxForUnknownId() ? "Accepted (allowOfflineTxForUnknownId)"
                        : settings.unknownIdTagStatus());
    }

    private static Path configDir(BundleContext context) {
        String dir = context.getProperty(CONFIG_DIR_PROPERTY);
        return dir == null ? null : Path.of(dir);
    }

    private ListSnapshot loadList() {
        StoredList stored = repository.loadList();
        try {
            ListSnapshot loaded = ListSnapshot.of(stored.version(), stored.entries());
            if (loaded.size() > maxListLength) {
                LOG.warn("The stored local authorization list holds {} entries, more than maxListLength {}; "
                        + "it is used as it is, but updates that keep it this long will fail",
                        loaded.size(), maxListLength);
            }
            return loaded;
        } catch (IllegalArgumentException e) {
            LOG.error("The stored local authorization list (version {}) is corrupted and is NOT used: {}. "
                    + "The gateway starts with an empty list; import a list file or send a full list",
                    stored.version(), e.getMessage());
            return ListSnapshot.EMPTY;
        }
    }

    private Map<String, CacheEntry> loadCache() {
        Instant now = clock.instant();
        Map<String, CacheEntry> loaded = new HashMap<>();
        repository.loadCache().forEach((idTag, c) -> {
            if (idTag != null && c != null && c.info() != null && c.cachedAt() != null
                    && AuthorizationDecision.fresh(c, settings.cacheLifetime(), now)) {
                loaded.put(ListSnapshot.key(idTag), new CacheEntry(idTag, c.info(), c.cachedAt()));
            }
        });
        return Map.copyOf(trim(loaded));
    }

    // ---- file -------------------------------------------------------------------------------

    /** Imports the file as a Full update when its version is higher than the list's; logs why not otherwise. */
    void importFile(Path file) {
        if (!Files.exists(file)) {
            LOG.debug("No {}; the stored list is kept", file);
            return;
        }
        SendLocalListRequest request;
        try {
            request = ListFile.read(file);
        } catch (ListFile.MalformedException e) {
            LOG.error("Local authorization list file {} is malformed and was NOT imported: {}. "
                    + "The list stays at version {}", file, e.getMessage(), list.version());
            return;
        } catch (IOException e) {
            LOG.error("Local authorization list file {} cannot be read: {}. The list stays at version {}",
                    file, e.toString(), list.version());
            return;
        }
        int current = list.version();
        if (request.listVersion() <= current) {
            LOG.info("Local authorization list file {} has version {}, not higher than the stored list's {}: "
                    + "ignored", file, request.listVersion(), current);
            return;
        }
        Result result = apply(request);
        if (result.status() == UpdateStatus.Accepted) {
            LOG.info("Imported {}: list version {}, {} entries", file, result.list().version(), result.list().size());
        } else {
            LOG.error("Local authorization list file {} was NOT imported: {} ({}). The list stays at version {}",
                    file, result.status(), result.reason(), current);
        }
    }

    // ---- list -------------------------------------------------------------------------------

    /**
     * Applies an update with the rules of {@link ListSnapshot}, stores the new
     * list and only then publishes it. Blocks the caller until the repository
     * confirms (never a charger's thread: the shell, the file import, a
     * central system's SendLocalList).
     */
    Result apply(SendLocalListRequest request) {
        if (!settings.localAuthListEnabled()) {
            return new Result(UpdateStatus.NotSupported, list, "the local list is disabled (localAuthListEnabled)");
        }
        listWrite.lock();
        try {
            ListSnapshot current = list;
            Result result = current.apply(request, maxListLength);
            if (result.status() != UpdateStatus.Accepted) {
                return result;
            }
            ListSnapshot next = result.list();
            try {
                repository.saveList(next.version(), next.entries()).toCompletableFuture()
                        .get(SAVE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                LOG.error("Storing local authorization list version {} failed; the list stays at version {}",
                        next.version(), current.version(), cause);
                return new Result(UpdateStatus.Failed, current, "storing the list failed: " + cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Result(UpdateStatus.Failed, current, "interrupted while storing the list");
            }
            list = next;
            return result;
        } finally {
            listWrite.unlock();
        }
    }

    /**
     * Builds an update from the current list and applies it, with no other
     * writer in between; null when {@code change} gives no update.
     */
    Result edit(Function<ListSnapshot, SendLocalListRequest> change) {
        listWrite.lock();
        try {
            SendLocalListRequest request = change.apply(list);
            return request == null ? null : apply(request);
        } finally {
            listWrite.unlock();
        }
    }

    ListSnapshot list() {
        return list;
    }

    /** -1 ("not supported", as GetLocalListVersion says) when the list is disabled. */
    @Override
    public int version() {
        return settings.localAuthListEnabled() ? list.version() : -1;
    }

    @Override
    public List<AuthorizationData> entries() {
        return list.entries();
    }

    @Override
    public Optional<AuthorizationData> entry(String idTag) {
        return list.entry(idTag);
    }

    @Override
    public UpdateStatus update(SendLocalListRequest request) {
        Result result = apply(request);
        if (result.status() == UpdateStatus.Accepted) {
            LOG.info("Local authorization list updated ({}) to version {}, {} entries", request.updateType(),
                    result.list().version(), result.list().size());
        } else {
            LOG.warn("Local authorization list update ({} to version {}) answered {}: {}", request.updateType(),
                    request.listVersion(), result.status(), result.reason());
        }
        return result.status();
    }

    // ---- cache ------------------------------------------------------------------------------

    /** The entry within its lifetime (its expiryDate is for the decision to judge), when the cache is enabled. */
    @Override
    public Optional<IdTagInfo> get(String idTag) {
        return freshEntry(idTag).map(CacheEntry::info);
    }

    /**
     * Remembers an authorization result. Ignored, as a 1.6 charge point would:
     * when the cache is disabled; for idTags in the local list ("identifiers
     * known in the Local Authorization List SHALL NOT be added to the
     * Authorization Cache", 3.5.3); for ConcurrentTx, which describes a
     * transaction, not the idTag. Never waits for the disk.
     */
    @Override
    public void put(String idTag, IdTagInfo info) {
        if (!settings.authorizationCacheEnabled() || idTag == null || info == null || info.status() == null
                || info.status() == AuthorizationStatus.ConcurrentTx
                || (settings.localAuthListEnabled() && list.entry(idTag).isPresent())) {
            return;
        }
        Instant now = clock.instant();
        synchronized (cacheWrite) {
            Map<String, CacheEntry> next = new HashMap<>(cache);
            next.put(ListSnapshot.key(idTag), new CacheEntry(idTag, info, now));
            next.values().removeIf(e -> !AuthorizationDecision.fresh(e.stored(), settings.cacheLifetime(), now));
            cache = Map.copyOf(trim(next));
            repository.saveCacheEntry(idTag, info, now).whenComplete((v, e) -> {
                if (e != null) {
                    LOG.warn("Storing the cache entry of {} failed; it is kept in memory only", idTag, e);
                }
            });
        }
    }

    /** ClearCache. */
    @Override
    public void clear() {
        synchronized (cacheWrite) {
            cache = Map.of();
            repository.clearCache().whenComplete((v, e) -> {
                if (e != null) {
                    LOG.error("Clearing the stored cache failed; entries may come back after a restart", e);
                }
            });
        }
        LOG.info("Authorization cache cleared");
    }

    /** The fresh entries, by idTag. */
    List<CacheEntry> cacheEntries() {
        Instant now = clock.instant();
        return cache.values().stream()
                .filter(e -> AuthorizationDecision.fresh(e.stored(), settings.cacheLifetime(), now))
                .sorted(Comparator.comparing(CacheEntry::idTag, String.CASE_INSENSITIVE_ORDER)).toList();
    }

    private Optional<CacheEntry> freshEntry(String idTag) {
        if (!settings.authorizationCacheEnabled()) {
            return Optional.empty();
        }
        CacheEntry entry = cache.get(ListSnapshot.key(idTag));
        return entry != null && AuthorizationDecision.fresh(entry.stored(), settings.cacheLifetime(), clock.instant())
                ? Optional.of(entry) : Optional.empty();
    }

    /** Keeps the newest {@code cacheMaxEntries}. */
    private Map<String, CacheEntry> trim(Map<String, CacheEntry> entries) {
        if (entries.size() <= cacheMaxEntries) {
            return entries;
        }
        Map<String, CacheEntry> kept = new HashMap<>();
        entries.entrySet().stream()
                .sorted(Comparator.comparing((Map.Entry<String, CacheEntry> e) -> e.getValue().cachedAt()).reversed())
                .limit(cacheMaxEntries).forEach(e -> kept.put(e.getKey(), e.getValue()));
        return kept;
    }

    // ---- decision ---------------------------------------------------------------------------

    @Override
    public IdTagInfo authorize(String chargePointId, String idTag, boolean startingTransaction) {
        return decide(chargePointId, NO_CONNECTOR, idTag, startingTransaction).idTagInfo();
    }

    /**
     * The offline decision (the gateway has no central system to ask yet).
     * For ConcurrentTx, an open transaction of the idTag on the same charger
     * and connector does not count: it is this session seen again (a
     * StartTransaction resent after a reboot), not a second one.
     */
    Decision decide(String chargePointId, int connectorId, String idTag, boolean startingTransaction) {
        IdTagInfo listEntry = list.entry(idTag).map(AuthorizationData::idTagInfo).orElse(null);
        CacheEntry cached = cache.get(ListSnapshot.key(idTag));
        boolean otherOpen = startingTransaction && !settings.allowConcurrentTransactions()
                && hasOtherOpenTransaction(chargePointId, connectorId, idTag);
        return AuthorizationDecision.decide(
                new Query(listEntry, cached == null ? null : cached.stored(), startingTransaction, otherOpen),
                settings, false, clock.instant());
    }

    @Override
    public boolean mayStop(String idTag, String startIdTag) {
        return AuthorizationDecision.mayStop(idTag, parent(idTag), startIdTag, parent(startIdTag));
    }

    /** The parentIdTag the list, else the cache, gives an idTag. */
    private String parent(String idTag) {
        if (idTag == null) {
            return null;
        }
        Optional<IdTagInfo> known = settings.localAuthListEnabled()
                ? list.entry(idTag).map(AuthorizationData::idTagInfo) : Optional.empty();
        return known.or(() -> freshEntry(idTag).map(CacheEntry::info)).map(IdTagInfo::parentIdTag).orElse(null);
    }

    private boolean hasOtherOpenTransaction(String chargePointId, int connectorId, String idTag) {
        for (ChargerInfo charger : site.chargers()) {
            boolean sameCharger = charger.chargePointId().equals(chargePointId);
            boolean open = charger.openTransactions().stream().anyMatch(t -> idTag.equalsIgnoreCase(t.idTag())
                    && !(sameCharger && t.connectorId() == connectorId));
            if (open) {
                return true;
            }
        }
        return false;
    }
}
