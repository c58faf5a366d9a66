package org.chargeedge.authorization.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.chargeedge.authorization.internal.ListSnapshotTest.entry;
import static org.chargeedge.authorization.internal.ListSnapshotTest.removal;
import static org.chargeedge.authorization.internal.TestSupport.T0;
import static org.chargeedge.authorization.internal.TestSupport.charger;
import static org.chargeedge.authorization.internal.TestSupport.config;
import static org.chargeedge.authorization.internal.TestSupport.transaction;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.chargeedge.api.charger.ChargerInfo;
import org.chargeedge.authorization.internal.TestSupport.MutableClock;
import org.chargeedge.ocpp.v16.AuthorizationData;
import org.chargeedge.ocpp.v16.AuthorizationStatus;
import org.chargeedge.ocpp.v16.IdTagInfo;
import org.chargeedge.ocpp.v16.SendLocalListRequest;
import org.chargeedge.ocpp.v16.UpdateStatus;
import org.chargeedge.ocpp.v16.UpdateType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalAuthorizationTest {

    @TempDir
    Path configDir;

    private final InMemoryAuthorizationRepository repository = new InMemoryAuthorizationRepository();
    private final MutableClock clock = new MutableClock(T0);
    private final List<ChargerInfo> chargers = new CopyOnWriteArrayList<>();

    private LocalAuthorization start(Map<String, Object> config) {
        return new LocalAuthorization(config(config), repository, TestSupport.site(() -> chargers), clock, configDir);
    }

    private LocalAuthorization start() {
        return start(Map.of());
    }

    private static SendLocalListRequest full(int version, AuthorizationData... entries) {
        return new SendLocalListRequest(version, List.of(entries), UpdateType.Full);
    }

    private static SendLocalListRequest differential(int version, AuthorizationData... entries) {
        return new SendLocalListRequest(version, List.of(entries), UpdateType.Differential);
    }

    private void writeFile(String json) throws Exception {
        Files.writeString(configDir.resolve(ListFile.NAME), json);
    }

    // ---- list and persistence -------------------------------------------------------------------

    @Test
    void aNewGatewayHasVersionZeroAndDecidesByPolicy() {
        LocalAuthorization auth = start();

        assertThat(auth.version()).isZero();
        assertThat(auth.entries()).isEmpty();
        assertThat(auth.authorize("CP-1", "ANY", false).status()).isEqualTo(AuthorizationStatus.Invalid);
        assertThat(start(Map.of("unknownIdTagStatus", UnknownIdTagStatus.Accepted))
                .authorize("CP-1", "ANY", false).status()).isEqualTo(AuthorizationStatus.Accepted);
    }

    @Test
    void updatesAreStoredAndSurviveARestart() {
        LocalAuthorization first = start();
        assertThat(first.update(full(3, entry("A", AuthorizationStatus.Accepted), entry("B", AuthorizationStatus.Blocked))))
                .isEqualTo(UpdateStatus.Accepted);
        assertThat(first.update(differential(4, removal("B"), entry("C", AuthorizationStatus.Expired))))
                .isEqualTo(UpdateStatus.Accepted);
        first.put("CACHED", IdTagInfo.of(AuthorizationStatus.Accepted));

        LocalAuthorization second = start();

        assertThat(second.version()).isEqualTo(4);
        assertThat(second.entries()).containsExactly(entry("A", AuthorizationStatus.Accepted),
                entry("C", AuthorizationStatus.Expired));
        assertThat(second.get("cached")).contains(IdTagInfo.of(AuthorizationStatus.Accepted));
        assertThat(second.authorize("CP-1", "c", false).status()).isEqualTo(AuthorizationStatus.Expired);
        assertThat(second.authorize("CP-1", "CACHED", false).status()).isEqualTo(AuthorizationStatus.Accepted);
    }

    @Test
    void refusedUpdatesChangeNothingInMemoryOrInTheStore() {
        LocalAuthorization auth = start(Map.of("maxListLength", 2));
        auth.update(full(3, entry("A", AuthorizationStatus.Accepted)));

        assertThat(auth.update(differential(3, entry("B", AuthorizationStatus.Accepted))))
                .isEqualTo(UpdateStatus.VersionMismatch);
        assertThat(auth.update(differential(4, entry("B", AuthorizationStatus.Accepted),
                entry("C", AuthorizationStatus.Accepted)))).isEqualTo(UpdateStatus.Failed);

        assertThat(auth.version()).isEqualTo(3);
        assertThat(auth.entries()).containsExactly(entry("A", AuthorizationStatus.Accepted));
        assertThat(repository.writes()).containsExactly("saveList 3");
    }

    @Test
    void aStoreFailureFailsTheUpdateAndKeepsTheOldList() {
        LocalAuthorization auth = start();
        auth.update(full(3, entry("A", AuthorizationStatus.Accepted)));
        repository.failWrites(new IllegalStateException("disk full"));

        assertThat(auth.update(differential(4, entry("A", AuthorizationStatus.Blocked))))
                .isEqualTo(UpdateStatus.Failed);

        assertThat(auth.version()).isEqualTo(3);
        assertThat(auth.authorize("CP-1", "A", false).status()).isEqualTo(AuthorizationStatus.Accepted);
        assertThat(start().version()).isEqualTo(3);
    }

    @Test
    void aDisabledListAnswersNotSupportedAndVersionMinusOne() {
        repository.storeRaw(2, List.of(entry("A", AuthorizationStatus.Accepted)));
        LocalAuthorization auth = start(Map.of("localAuthListEnabled", false));

        assertThat(auth.update(full(3, entry("B", AuthorizationStatus.Accepted)))).isEqualTo(UpdateStatus.NotSupported);
        assertThat(auth.version()).isEqualTo(-1);
        assertThat(auth.authorize("CP-1", "A", false).status()).isEqualTo(AuthorizationStatus.Invalid);
        assertThat(repository.writes()).isEmpty();
    }

    @Test
    void aCorruptedStoredListIsNotUsed() {
        repository.storeRaw(7, List.of(entry("A", AuthorizationStatus.Accepted), entry("a", AuthorizationStatus.Blocked)));

        LocalAuthorization auth = start();

        assertThat(auth.version()).isZero();
        assertThat(auth.entries()).isEmpty();
        assertThat(auth.update(full(1, entry("B", AuthorizationStatus.Accepted)))).isEqualTo(UpdateStatus.Accepted);
    }

    // ---- cache ----------------------------------------------------------------------------------

    @Test
    void cacheEntriesExpireAfterTheirLifetime() {
        LocalAuthorization auth = start(Map.of("cacheLifetime", 3600L));
        auth.put("TAG", IdTagInfo.of(AuthorizationStatus.Accepted));

        clock.advance(Duration.ofMinutes(59));
        assertThat(auth.get("TAG")).isPresent();
        assertThat(auth.authorize("CP-1", "TAG", false).status()).isEqualTo(AuthorizationStatus.Accepted);

        clock.advance(Duration.ofMinutes(1));
        assertThat(auth.get("TAG")).isEmpty();
        assertThat(auth.cacheEntries()).isEmpty();
        assertThat(auth.authorize("CP-1", "TAG", false).status()).isEqualTo(AuthorizationStatus.Invalid);
        assertThat(start(Map.of("cacheLifetime", 3600L)).get("TAG")).as("after a restart").isEmpty();
    }

    @Test
    void clearCacheEmptiesMemoryAndStore() {
        LocalAuthorization auth = start();
        auth.put("TAG", IdTagInfo.of(AuthorizationStatus.Blocked));
        assertThat(auth.authorize("CP-1", "TAG", false).status()).isEqualTo(AuthorizationStatus.Blocked);

        auth.clear();

        assertThat(auth.get("TAG")).isEmpty();
        assertThat(auth.authorize("CP-1", "TAG", false).status()).isEqualTo(AuthorizationStatus.Invalid);
        assertThat(start().get("TAG")).isEmpty();
        assertThat(repository.writes()).containsExactly("saveCacheEntry TAG", "clearCache");
    }

    @Test
    void theCacheKeepsOutListedIdTagsAndConcurrentTxAndIsBounded() {
        LocalAuthorization auth = start(Map.of("cacheMaxEntries", 2));
        auth.update(full(1, entry("LISTED", AuthorizationStatus.Accepted)));

        auth.put("listed", IdTagInfo.of(AuthorizationStatus.Blocked));
        auth.put("BUSY", IdTagInfo.of(AuthorizationStatus.ConcurrentTx));
        auth.put("OLD", IdTagInfo.of(AuthorizationStatus.Accepted));
        clock.advance(Duration.ofSeconds(1));
        auth.put("MIDDLE", IdTagInfo.of(AuthorizationStatus.Accepted));
        clock.advance(Duration.ofSeconds(1));
        auth.put("NEW", IdTagInfo.of(AuthorizationStatus.Accepted));

        assertThat(auth.cacheEntries()).extracting(LocalAuthorization.CacheEntry::idTag)
                .containsExactly("MIDDLE", "NEW");
        assertThat(auth.get("listed")).isEmpty();
    }

    @Test
    void aDisabledCacheIsNeitherFedNorConsulted() {
        LocalAuthorization auth = start(Map.of("authorizationCacheEnabled", false));

        auth.put("TAG", IdTagInfo.of(AuthorizationStatus.Accepted));

        assertThat(auth.get("TAG")).isEmpty();
        assertThat(repository.writes()).isEmpty();
    }

    @Test
    void aCacheStoreFailureKeepsTheEntryInMemory() {
        LocalAuthorization auth = start();
        repository.failWrites(new IllegalStateException("disk full"));

        auth.put("TAG", IdTagInfo.of(AuthorizationStatus.Accepted));

        assertThat(auth.get("TAG")).isPresent();
    }

    // ---- decision with the site ------------------------------------------------------------------

    @Test
    void aSecondStartOfAnIdTagIsConcurrentTxUnlessAllowed() {
        LocalAuthorization auth = start(Map.of("unknownIdTagStatus", UnknownIdTagStatus.Accepted));
        chargers.add(charger("CP-1", transaction(10, 1, "tag-1")));

        assertThat(auth.authorize("CP-2", "TAG-1", true).status()).isEqualTo(AuthorizationStatus.ConcurrentTx);
        assertThat(auth.decide("CP-1", 2, "TAG-1", true).status()).isEqualTo(AuthorizationStatus.ConcurrentTx);
        assertThat(auth.authorize("CP-2", "TAG-1", false).status()).isEqualTo(AuthorizationStatus.Accepted);
        assertThat(auth.authorize("CP-2", "TAG-2", true).status()).isEqualTo(AuthorizationStatus.Accepted);
        // The same connector's open transaction is this session again (a resent StartTransaction).
        assertThat(auth.decide("CP-1", 1, "TAG-1", true).status()).isEqualTo(AuthorizationStatus.Accepted);

        LocalAuthorization allowing = start(Map.of("unknownIdTagStatus", UnknownIdTagStatus.Accepted,
                "allowConcurrentTransactions", true));
        assertThat(allowing.authorize("CP-2", "TAG-1", true).status()).isEqualTo(AuthorizationStatus.Accepted);
    }

    @Test
    void mayStopUsesTheParentGroupsOfListAndCache() {
        LocalAuthorization auth = start();
        auth.update(full(1, new AuthorizationData("DRIVER-1", new IdTagInfo(null, "FLEET", AuthorizationStatus.Accepted)),
                new AuthorizationData("DRIVER-2", new IdTagInfo(null, "fleet", AuthorizationStatus.Accepted)),
                new AuthorizationData("OTHER", new IdTagInfo(null, "ELSEWHERE", AuthorizationStatus.Accepted))));
        auth.put("GUEST", new IdTagInfo(null, "FLEET", AuthorizationStatus.Accepted));

        assertThat(auth.mayStop("DRIVER-2", "DRIVER-1")).isTrue();
        assertThat(auth.mayStop("GUEST", "DRIVER-1")).isTrue();
        assertThat(auth.mayStop("driver-1", "DRIVER-1")).isTrue();
        assertThat(auth.mayStop("OTHER", "DRIVER-1")).isFalse();
        assertThat(auth.mayStop("UNKNOWN", "DRIVER-1")).isFalse();
        assertThat(auth.mayStop("DRIVER-1", "UNKNOWN")).isFalse();
    }

    // ---- file import ----------------------------------------------------------------------------

    @Test
    void aFileWithAHigherVersionIsImportedAsAFullUpdate() throws Exception {
        start().update(full(2, entry("OLD", AuthorizationStatus.Accepted)));
        writeFile("""
                {"version": 3, "entries": [
                  {"idTag": "04A2B3C4D5", "status": "Accepted", "expiryDate": "2030-01-01T00:00:00Z", "parentIdTag": "FLEET"},
                  {"idTag": "04FF00112233", "status": "Blocked"}
                ]}""");

        LocalAuthorization auth = start();

        assertThat(auth.version()).isEqualTo(3);
        assertThat(auth.entries()).containsExactly(
                new AuthorizationData("04A2B3C4D5", new IdTagInfo(Instant.parse("2030-01-01T00:00:00Z"), "FLEET",
                        AuthorizationStatus.Accepted)),
                entry("04FF00112233", AuthorizationStatus.Blocked));
        assertThat(start().version()).as("stored, and not imported twice").isEqualTo(3);
        assertThat(repository.writes()).containsExactly("saveList 2", "saveList 3");
    }

    @Test
    void aFileWithALowerOrEqualVersionIsIgnored() throws Exception {
        start().update(full(5, entry("KEPT", AuthorizationStatus.Accepted)));
        for (int version : new int[] {4, 5}) {
            writeFile("{\"version\": " + version + ", \"entries\": [{\"idTag\": \"NEW\", \"status\": \"Accepted\"}]}");

            LocalAuthorization auth = start();

            assertThat(auth.version()).isEqualTo(5);
            assertThat(auth.entries()).containsExactly(entry("KEPT", AuthorizationStatus.Accepted));
        }
    }

    @Test
    void malformedFilesChangeNothing() throws Exception {
        start().update(full(1, entry("KEPT", AuthorizationStatus.Accepted)));
        List<String> malformed = List.of(
                "{\"version\": 9, \"entries\": [",
                "[]",
                "{\"entries\": []}",
                "{\"version\": \"9\", \"entries\": []}",
                "{\"version\": 9.5, \"entries\": []}",
                "{\"version\": 9}",
                "{\"version\": 9, \"entries\": [{\"idTag\": \"X\"}]}",
                "{\"version\": 9, \"entries\": [{\"idTag\": \"X\", \"status\": \"Welcome\"}]}",
                "{\"version\": 9, \"entries\": [{\"idTag\": \"X\", \"status\": \"Accepted\", \"expirydate\": \"2030-01-01T00:00:00Z\"}]}",
                "{\"version\": 9, \"entries\": [{\"idTag\": \"X\", \"status\": \"Accepted\", \"expiryDate\": \"tomorrow\"}]}",
                "{\"version\": 9, \"entries\": [{\"idTag\": 42, \"status\": \"Accepted\"}]}",
                "{\"version\": 9, \"entries\": [\"X\"]}",
                "{\"version\": 9, \"entries\": [], \"comment\": \"x\"}",
                // Well-formed JSON the list refuses: a duplicate idTag, a too long one.
                "{\"version\": 9, \"entries\": [{\"idTag\": \"X\", \"status\": \"Accepted\"}, {\"idTag\": \"x\", \"status\": \"Blocked\"}]}",
                "{\"version\": 9, \"entries\": [{\"idTag\": \"123456789012345678901\", \"status\": \"Accepted\"}]}");
        for (String json : malformed) {
            writeFile(json);

            LocalAuthorization auth = start();

            assertThat(auth.version()).as(json).isEqualTo(1);
            assertThat(auth.entries()).as(json).containsExactly(entry("KEPT", AuthorizationStatus.Accepted));
        }
        assertThat(repository.writes()).containsExactly("saveList 1");
    }

    @Test
    void noConfigDirectoryOrNoFileKeepsTheStoredList() {
        start().update(full(1, entry("KEPT", AuthorizationStatus.Accepted)));

        assertThat(new LocalAuthorization(config(), repository, TestSupport.emptySite(), clock, null).version())
                .isEqualTo(1);
        assertThat(start().version()).isEqualTo(1);
    }
}
