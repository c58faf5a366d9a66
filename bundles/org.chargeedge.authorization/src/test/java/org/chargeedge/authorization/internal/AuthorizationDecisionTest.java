package org.chargeedge.authorization.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

import org.chargeedge.api.authorization.AuthorizationRepository.CachedIdTag;
import org.chargeedge.authorization.internal.AuthorizationDecision.Decision;
import org.chargeedge.authorization.internal.AuthorizationDecision.Query;
import org.chargeedge.authorization.internal.AuthorizationDecision.Settings;
import org.chargeedge.authorization.internal.AuthorizationDecision.Source;
import org.chargeedge.ocpp.v16.AuthorizationStatus;
import org.chargeedge.ocpp.v16.IdTagInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AuthorizationDecisionTest {

    private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
    private static final Duration LIFETIME = Duration.ofHours(1);

    /**
     * list, cache: "-" for no entry, else a status, optionally ":past" (expiryDate before now),
     * ":future" (expiryDate after now) or, for the cache, ":stale" (stored longer ago than the lifetime).
     * settings: changes to the defaults (list and cache on, LocalAuthorizeOffline on, LocalPreAuthorize off,
     * AllowOfflineTxForUnknownId off, unknown idTags Invalid, no concurrent transactions, offline):
     * noList, noCache, noOffline, preAuth, offlineTx, free (unknown idTags Accepted), concurrent, online.
     * request: authorize, start, or either with "+open" (the idTag has another open transaction).
     * expected: a status, or "ask" for a decision left to the central system.
     */
    @ParameterizedTest(name = "list {0}, cache {1}, [{2}], {3} -> {4} ({5})")
    @CsvSource(delimiter = '|', textBlock = """
            # unknown idTags: the site's policy, AllowOfflineTxForUnknownId
            -               | -              | -                    | authorize      | Invalid      | UNKNOWN_ID_POLICY
            -               | -              | free                 | authorize      | Accepted     | UNKNOWN_ID_POLICY
            -               | -              | offlineTx            | authorize      | Accepted     | UNKNOWN_ID_POLICY
            -               | -              | offlineTx            | start          | Accepted     | UNKNOWN_ID_POLICY
            -               | -              | free offlineTx       | start          | Accepted     | UNKNOWN_ID_POLICY
            # the local list
            Accepted        | -              | -                    | authorize      | Accepted     | LOCAL_LIST
            Blocked         | -              | -                    | authorize      | Blocked      | LOCAL_LIST
            Expired         | -              | -                    | authorize      | Expired      | LOCAL_LIST
            Invalid         | -              | -                    | authorize      | Invalid      | LOCAL_LIST
            Accepted:past   | -              | -                    | authorize      | Expired      | LOCAL_LIST
            Accepted:future | -              | -                    | authorize      | Accepted     | LOCAL_LIST
            Blocked:future  | -              | -                    | authorize      | Blocked      | LOCAL_LIST
            Accepted        | -              | -                    | start          | Accepted     | LOCAL_LIST
            # known and not Accepted is rejected even on a free-charging site or with offline unknown ids
            Blocked         | -              | free                 | authorize      | Blocked      | LOCAL_LIST
            Invalid         | -              | free offlineTx       | start          | Invalid      | LOCAL_LIST
            Accepted:past   | -              | free offlineTx       | authorize      | Expired      | LOCAL_LIST
            # the list wins over the cache
            Blocked         | Accepted       | -                    | authorize      | Blocked      | LOCAL_LIST
            Accepted        | Blocked        | -                    | authorize      | Accepted     | LOCAL_LIST
            # the cache
            -               | Accepted       | -                    | authorize      | Accepted     | CACHE
            -               | Blocked        | -                    | authorize      | Blocked      | CACHE
            -               | Expired        | free                 | authorize      | Expired      | CACHE
            -               | Accepted:past  | -                    | authorize      | Expired      | CACHE
            -               | Accepted:past  | free                 | start          | Expired      | CACHE
            -               | Accepted:stale | -                    | authorize      | Invalid      | UNKNOWN_ID_POLICY
            -               | Blocked:stale  | free                 | authorize      | Accepted     | UNKNOWN_ID_POLICY
            -               | Accepted       | noCache              | authorize      | Invalid      | UNKNOWN_ID_POLICY
            -               | Blocked        | noCache free         | authorize      | Accepted     | UNKNOWN_ID_POLICY
            # the list disabled: its entries are not consulted, the cache is
            Accepted        | -              | noList               | authorize      | Invalid      | UNKNOWN_ID_POLICY
            Blocked         | Accepted       | noList               | authorize      | Accepted     | CACHE
            Blocked         | -              | noList free          | authorize      | Accepted     | UNKNOWN_ID_POLICY
            # LocalAuthorizeOffline off: known Accepted counts as unknown, known rejected stays rejected
            Accepted        | -              | noOffline            | authorize      | Invalid      | UNKNOWN_ID_POLICY
            Accepted        | -              | noOffline free       | authorize      | Accepted     | UNKNOWN_ID_POLICY
            -               | Accepted       | noOffline            | start          | Invalid      | UNKNOWN_ID_POLICY
            Accepted        | -              | noOffline offlineTx  | start          | Accepted     | UNKNOWN_ID_POLICY
            Blocked         | -              | noOffline offlineTx  | authorize      | Blocked      | LOCAL_LIST
            -               | Blocked        | noOffline free       | authorize      | Blocked      | CACHE
            # LocalPreAuthorize matters online only
            Accepted        | -              | preAuth              | authorize      | Accepted     | LOCAL_LIST
            Accepted        | -              | noOffline preAuth    | authorize      | Invalid      | UNKNOWN_ID_POLICY
            # ConcurrentTx: StartTransaction of an idTag that has another open transaction
            Accepted        | -              | -                    | start+open     | ConcurrentTx | LOCAL_LIST
            Accepted        | -              | -                    | authorize+open | Accepted     | LOCAL_LIST
            Accepted        | -              | concurrent           | start+open     | Accepted     | LOCAL_LIST
            -               | Accepted       | -                    | start+open     | ConcurrentTx | CACHE
            -               | -              | free                 | start+open     | ConcurrentTx | UNKNOWN_ID_POLICY
            -               | -              | offlineTx            | start+open     | ConcurrentTx | UNKNOWN_ID_POLICY
            -               | -              | -                    | start+open     | Invalid      | UNKNOWN_ID_POLICY
            Blocked         | -              | -                    | start+open     | Blocked      | LOCAL_LIST
            Accepted:past   | -              | -                    | start+open     | Expired      | LOCAL_LIST
            # online: the central system decides unless LocalPreAuthorize accepts a known valid idTag
            Accepted        | -              | online               | authorize      | ask          | CENTRAL_SYSTEM
            Accepted        | -              | online preAuth       | authorize      | Accepted     | LOCAL_LIST
            -               | Accepted       | online preAuth       | start          | Accepted     | CACHE
            -               | Accepted       | online preAuth noCache | authorize    | ask          | CENTRAL_SYSTEM
            Blocked         | -              | online preAuth       | authorize      | ask          | CENTRAL_SYSTEM
            Accepted:past   | -              | online preAuth       | authorize      | ask          | CENTRAL_SYSTEM
            -               | -              | online preAuth free offlineTx | start | ask         | CENTRAL_SYSTEM
            Accepted        | -              | online preAuth       | start+open     | ConcurrentTx | LOCAL_LIST
            """)
    void decisionTable(String list, String cache, String settings, String request, String expected,
                       Source source) {
        Set<String> flags = settings.equals("-") ? Set.of() : Set.of(settings.trim().split("\\s+"));
        Set<String> unknownFlags = new HashSet<>(flags);
        unknownFlags.removeAll(Set.of("noList", "noCache", "noOffline", "preAuth", "offlineTx", "free",
                "concurrent", "online"));
        assertThat(unknownFlags).as("flags of this row").isEmpty();
        Query query = new Query(info(list), cached(cache), request.startsWith("start"), request.endsWith("+open"));

        Decision decision = AuthorizationDecision.decide(query, settings(flags), flags.contains("online"), NOW);

        assertThat(decision.source()).isEqualTo(source);
        if (expected.equals("ask")) {
            assertThat(decision.idTagInfo()).isNull();
        } else {
            assertThat(decision.status()).isEqualTo(AuthorizationStatus.valueOf(expected));
        }
    }

    @Test
    void expiredByDateAndConcurrentKeepExpiryAndParent() {
        Instant past = NOW.minusSeconds(1);
        Decision expired = AuthorizationDecision.decide(new Query(new IdTagInfo(past, "FLEET", AuthorizationStatus.Accepted),
                null, false, false), settings(Set.of()), false, NOW);
        assertThat(expired.idTagInfo()).isEqualTo(new IdTagInfo(past, "FLEET", AuthorizationStatus.Expired));

        Instant future = NOW.plusSeconds(60);
        Decision concurrent = AuthorizationDecision.decide(new Query(new IdTagInfo(future, "FLEET",
                AuthorizationStatus.Accepted), null, true, true), settings(Set.of()), false, NOW);
        assertThat(concurrent.idTagInfo()).isEqualTo(new IdTagInfo(future, "FLEET", AuthorizationStatus.ConcurrentTx));
    }

    @Test
    void expiryAtExactlyNowIsExpiredAndCacheAtExactlyItsLifetimeIsStale() {
        Decision atNow = AuthorizationDecision.decide(new Query(new IdTagInfo(NOW, null, AuthorizationStatus.Accepted),
                null, false, false), settings(Set.of()), false, NOW);
        assertThat(atNow.status()).isEqualTo(AuthorizationStatus.Expired);

        assertThat(AuthorizationDecision.fresh(new CachedIdTag(IdTagInfo.of(AuthorizationStatus.Accepted),
                NOW.minus(LIFETIME)), LIFETIME, NOW)).isFalse();
        assertThat(AuthorizationDecision.fresh(new CachedIdTag(IdTagInfo.of(AuthorizationStatus.Accepted),
                NOW.minus(LIFETIME).plusMillis(1)), LIFETIME, NOW)).isTrue();
    }

    @ParameterizedTest(name = "{0} (parent {1}) stops what {2} (parent {3}) started: {4}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            CARD-A | -     | CARD-A | -     | true
            card-a | -     | CARD-A | -     | true
            CARD-B | FLEET | CARD-A | FLEET | true
            CARD-B | fleet | CARD-A | FLEET | true
            CARD-B | FLEET | CARD-A | OTHER | false
            CARD-B | -     | CARD-A | -     | false
            CARD-B | FLEET | CARD-A | -     | false
            CARD-B | -     | CARD-A | FLEET | false
            """)
    void mayStopWithinTheSameIdTagOrParentGroup(String idTag, String parent, String startIdTag, String startParent,
                                                boolean expected) {
        assertThat(AuthorizationDecision.mayStop(idTag, parent, startIdTag, startParent)).isEqualTo(expected);
    }

    private static Settings settings(Set<String> flags) {
        return new Settings(!flags.contains("noList"), !flags.contains("noCache"), LIFETIME,
                !flags.contains("noOffline"), flags.contains("preAuth"), flags.contains("offlineTx"),
                flags.contains("free") ? AuthorizationStatus.Accepted : AuthorizationStatus.Invalid,
                flags.contains("concurrent"));
    }

    private static IdTagInfo info(String spec) {
        if (spec.equals("-")) {
            return null;
        }
        String[] parts = spec.split(":");
        Instant expiry = parts.length < 2 ? null : switch (parts[1]) {
            case "past" -> NOW.minus(Duration.ofDays(1));
            case "future" -> NOW.plus(Duration.ofDays(1));
            case "stale" -> null;
            default -> throw new IllegalArgumentException(spec);
        };
        return new IdTagInfo(expiry, null, AuthorizationStatus.valueOf(parts[0]));
    }

    private static CachedIdTag cached(String spec) {
        IdTagInfo info = info(spec);
        if (info == null) {
            return null;
        }
        Instant cachedAt = spec.endsWith(":stale") ? NOW.minus(LIFETIME).minusSeconds(1) : NOW.minusSeconds(60);
        return new CachedIdTag(info, cachedAt);
    }
}
