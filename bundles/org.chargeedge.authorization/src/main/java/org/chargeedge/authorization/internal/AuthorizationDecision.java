package org.chargeedge.authorization.internal;

import java.time.Duration;
import java.time.Instant;

import org.chargeedge.api.authorization.AuthorizationRepository.CachedIdTag;
import org.chargeedge.ocpp.v16.AuthorizationStatus;
import org.chargeedge.ocpp.v16.IdTagInfo;

/**
 * The idTag decision of an OCPP 1.6 charge point, as a pure function of plain
 * values: no clock, no services, no state. The gateway answers chargers with
 * it; an upstream link can call it with {@code online = true} to learn whether
 * it may answer locally or must ask the central system.
 *
 * <p>Rules, in order (OCPP 1.6 edition 2, sections 3.5 and 9.1):
 * <ol>
 * <li>An entry of the Local Authorization List wins over the cache (3.5.3);
 *     a fresh cache entry (stored less than {@code cacheLifetime} ago, and
 *     only with AuthorizationCacheEnabled) comes next. Either is "known".</li>
 * <li>A known Accepted entry whose expiryDate is not after now is Expired
 *     (3.5.4: "identifiers that were valid but are apparently expired due to
 *     passage of time MUST be rejected").</li>
 * <li>Online: with LocalPreAuthorize a known Accepted idTag is accepted at once;
 *     everything else is for the central system to decide.</li>
 * <li>Offline: a known idTag that is not Accepted is rejected with its status,
 *     whatever the other keys say (3.5.4). A known Accepted idTag is accepted
 *     with LocalAuthorizeOffline; without it, it is treated as unknown.</li>
 * <li>Unknown offline: Accepted with AllowOfflineTxForUnknownId, else the
 *     site's status for unknown idTags (Invalid, or Accepted for free charging).</li>
 * <li>A StartTransaction that would be accepted becomes ConcurrentTx when the
 *     idTag already has another open transaction and the site forbids that.</li>
 * </ol>
 */
public final class AuthorizationDecision {

    /** Where an answer came from. */
    public enum Source {
        LOCAL_LIST,
        CACHE,
        UNKNOWN_ID_POLICY,
        /** Online and not decidable locally: ask the central system. */
        CENTRAL_SYSTEM
    }

    /** The configuration keys the decision depends on. */
    public record Settings(
            boolean localAuthListEnabled,
            boolean authorizationCacheEnabled,
            Duration cacheLifetime,
            boolean localAuthorizeOffline,
            boolean localPreAuthorize,
            boolean allowOfflineTxForUnknownId,
            AuthorizationStatus unknownIdTagStatus,
            boolean allowConcurrentTransactions) {
    }

    /**
     * What is known about one presentation of an idTag.
     *
     * @param listEntry the list's entry for the idTag, null if none
     * @param cacheEntry the cache's entry for the idTag, null if none (freshness is checked here)
     * @param startingTransaction StartTransaction (ConcurrentTx applies) rather than Authorize
     * @param otherOpenTransaction the idTag has an open transaction other than this one
     */
    public record Query(IdTagInfo listEntry, CachedIdTag cacheEntry, boolean startingTransaction,
                        boolean otherOpenTransaction) {
    }

    /** The answer; {@code idTagInfo} is null exactly when the source is {@link Source#CENTRAL_SYSTEM}. */
    public record Decision(IdTagInfo idTagInfo, Source source) {
        public AuthorizationStatus status() {
            return idTagInfo == null ? null : idTagInfo.status();
        }
    }

    private AuthorizationDecision() {
    }

    public static Decision decide(Query query, Settings settings, boolean online, Instant now) {
        IdTagInfo known = null;
        Source source = null;
        if (settings.localAuthListEnabled() && query.listEntry() != null) {
            known = query.listEntry();
            source = Source.LOCAL_LIST;
        } else if (settings.authorizationCacheEnabled() && fresh(query.cacheEntry(), settings.cacheLifetime(), now)) {
            known = query.cacheEntry().info();
            source = Source.CACHE;
        }
        if (known != null) {
            known = expiredByDate(known, now);
        }
        boolean knownAccepted = known != null && known.status() == AuthorizationStatus.Accepted;
        if (online) {
            return settings.localPreAuthorize() && knownAccepted
                    ? concurrency(new Decision(known, source), query, settings)
                    : new Decision(null, Source.CENTRAL_SYSTEM);
        }
        if (known != null && (!knownAccepted || settings.localAuthorizeOffline())) {
            return concurrency(new Decision(known, source), query, settings);
        }
        AuthorizationStatus unknown = settings.allowOfflineTxForUnknownId()
                ? AuthorizationStatus.Accepted : settings.unknownIdTagStatus();
        return concurrency(new Decision(IdTagInfo.of(unknown), Source.UNKNOWN_ID_POLICY), query, settings);
    }

    /**
     * Whether {@code idTag} may stop a transaction {@code startIdTag} started:
     * the same idTag, or both in the same parentIdTag group (the parents as the
     * list or cache know them; null when unknown).
     */
    public static boolean mayStop(String idTag, String parentIdTag, String startIdTag, String startParentIdTag) {
        if (idTag.equalsIgnoreCase(startIdTag)) {
            return true;
        }
        return parentIdTag != null && parentIdTag.equalsIgnoreCase(startParentIdTag);
    }

    /** Whether a cache entry may still be used: stored less than {@code lifetime} ago. */
    public static boolean fresh(CachedIdTag entry, Duration lifetime, Instant now) {
        return entry != null && now.isBefore(entry.cachedAt().plus(lifetime));
    }

    private static IdTagInfo expiredByDate(IdTagInfo info, Instant now) {
        if (info.status() == AuthorizationStatus.Accepted && info.expiryDate() != null
                && !info.expiryDate().isAfter(now)) {
            return new IdTagInfo(info.expiryDate(), info.parentIdTag(), AuthorizationStatus.Expired);
        }
        return info;
    }

    private static Decision concurrency(Decision decision, Query query, Settings settings) {
        if (query.startingTransaction() && query.otherOpenTransaction() && !settings.allowConcurrentTransactions()
                && decision.status() == AuthorizationStatus.Accepted) {
            IdTagInfo info = decision.idTagInfo();
            return new Decision(new IdTagInfo(info.expiryDate(), info.parentIdTag(), AuthorizationStatus.ConcurrentTx),
                    decision.source());
        }
        return decision;
    }
}
