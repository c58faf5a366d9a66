package org.chargeedge.authorization.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.chargeedge.authorization.internal.ListSnapshot.Result;
import org.chargeedge.ocpp.v16.AuthorizationData;
import org.chargeedge.ocpp.v16.AuthorizationStatus;
import org.chargeedge.ocpp.v16.IdTagInfo;
import org.chargeedge.ocpp.v16.SendLocalListRequest;
import org.chargeedge.ocpp.v16.UpdateStatus;
import org.chargeedge.ocpp.v16.UpdateType;
import org.junit.jupiter.api.Test;

class ListSnapshotTest {

    private static final int MAX = 3;

    static AuthorizationData entry(String idTag, AuthorizationStatus status) {
        return new AuthorizationData(idTag, IdTagInfo.of(status));
    }

    static AuthorizationData removal(String idTag) {
        return new AuthorizationData(idTag, null);
    }

    private static SendLocalListRequest full(int version, AuthorizationData... entries) {
        return new SendLocalListRequest(version, Arrays.asList(entries), UpdateType.Full);
    }

    private static SendLocalListRequest differential(int version, AuthorizationData... entries) {
        return new SendLocalListRequest(version, Arrays.asList(entries), UpdateType.Differential);
    }

    /** Version 5 with A Accepted and B Blocked. */
    private final ListSnapshot five = accepted(ListSnapshot.EMPTY.apply(
            full(5, entry("A", AuthorizationStatus.Accepted), entry("B", AuthorizationStatus.Blocked)), MAX));

    private static ListSnapshot accepted(Result result) {
        assertThat(result.status()).as(result.reason()).isEqualTo(UpdateStatus.Accepted);
        return result.list();
    }

    private void assertRefused(Result result, UpdateStatus status, String reason) {
        assertThat(result.status()).isEqualTo(status);
        assertThat(result.reason()).contains(reason);
        assertThat(result.list()).isSameAs(five);
    }

    @Test
    void fullUpdateReplacesTheListWhateverItsVersion() {
        ListSnapshot replaced = accepted(five.apply(full(2, entry("C", AuthorizationStatus.Expired)), MAX));

        assertThat(replaced.version()).isEqualTo(2);
        assertThat(replaced.entries()).containsExactly(entry("C", AuthorizationStatus.Expired));
        assertThat(replaced.entry("A")).isEmpty();
        assertThat(five.entries()).hasSize(2);
    }

    @Test
    void fullUpdateWithoutEntriesEmptiesTheList() {
        ListSnapshot empty = accepted(five.apply(new SendLocalListRequest(6, null, UpdateType.Full), MAX));

        assertThat(empty.version()).isEqualTo(6);
        assertThat(empty.entries()).isEmpty();
    }

    @Test
    void differentialUpdateAddsUpdatesAndRemoves() {
        ListSnapshot next = accepted(five.apply(differential(6, entry("C", AuthorizationStatus.Accepted),
                new AuthorizationData("a", IdTagInfo.of(AuthorizationStatus.Blocked)), removal("B"),
                removal("NOT-THERE")), MAX));

        assertThat(next.version()).isEqualTo(6);
        assertThat(next.entries()).containsExactly(
                new AuthorizationData("a", IdTagInfo.of(AuthorizationStatus.Blocked)),
                entry("C", AuthorizationStatus.Accepted));
        assertThat(next.entry("A").orElseThrow().idTagInfo().status()).isEqualTo(AuthorizationStatus.Blocked);
    }

    @Test
    void differentialUpdateWithoutEntriesOnlyMovesTheVersion() {
        ListSnapshot next = accepted(five.apply(new SendLocalListRequest(9, null, UpdateType.Differential), MAX));

        assertThat(next.version()).isEqualTo(9);
        assertThat(next.entries()).isEqualTo(five.entries());
    }

    @Test
    void differentialUpdateNotNewerIsAVersionMismatch() {
        assertRefused(five.apply(differential(5, entry("C", AuthorizationStatus.Accepted)), MAX),
                UpdateStatus.VersionMismatch, "not newer than the current version 5");
        assertRefused(five.apply(differential(4, entry("C", AuthorizationStatus.Accepted)), MAX),
                UpdateStatus.VersionMismatch, "not newer");
    }

    @Test
    void versionsBelowOneFail() {
        assertRefused(five.apply(full(0), MAX), UpdateStatus.Failed, "at least 1");
        assertRefused(five.apply(full(-1, entry("C", AuthorizationStatus.Accepted)), MAX), UpdateStatus.Failed,
                "at least 1");
        assertRefused(five.apply(differential(-1), MAX), UpdateStatus.Failed, "at least 1");
    }

    @Test
    void overflowFailsAndChangesNothing() {
        assertRefused(five.apply(differential(6, entry("C", AuthorizationStatus.Accepted),
                entry("D", AuthorizationStatus.Accepted)), MAX), UpdateStatus.Failed, "more than the maximum of 3");
        assertRefused(five.apply(full(6, entry("1", AuthorizationStatus.Accepted), entry("2", AuthorizationStatus.Accepted),
                entry("3", AuthorizationStatus.Accepted), entry("4", AuthorizationStatus.Accepted)), MAX),
                UpdateStatus.Failed, "4 entries");
    }

    @Test
    void aDifferentialThatStaysWithinTheMaximumByRemovingIsAccepted() {
        ListSnapshot three = accepted(five.apply(differential(6, entry("C", AuthorizationStatus.Accepted)), MAX));

        ListSnapshot next = accepted(three.apply(differential(7, removal("A"), entry("D", AuthorizationStatus.Accepted)),
                MAX));

        assertThat(next.size()).isEqualTo(3);
    }

    @Test
    void invalidEntriesFailAndChangeNothing() {
        assertRefused(five.apply(full(6, removal("C")), MAX), UpdateStatus.Failed, "no idTagInfo in a full update");
        assertRefused(five.apply(differential(6, entry("C", AuthorizationStatus.ConcurrentTx)), MAX),
                UpdateStatus.Failed, "ConcurrentTx");
        assertRefused(five.apply(differential(6, new AuthorizationData("C", new IdTagInfo(null, null, null))), MAX),
                UpdateStatus.Failed, "status null");
        assertRefused(five.apply(differential(6, entry("X".repeat(21), AuthorizationStatus.Accepted)), MAX),
                UpdateStatus.Failed, "valid idTag");
        assertRefused(five.apply(differential(6, entry("", AuthorizationStatus.Accepted)), MAX),
                UpdateStatus.Failed, "valid idTag");
        assertRefused(five.apply(differential(6, new AuthorizationData("C",
                new IdTagInfo(null, "P".repeat(21), AuthorizationStatus.Accepted))), MAX), UpdateStatus.Failed,
                "parentIdTag");
        List<AuthorizationData> withNull = new ArrayList<>();
        withNull.add(null);
        assertRefused(five.apply(new SendLocalListRequest(6, withNull, UpdateType.Differential), MAX),
                UpdateStatus.Failed, "valid idTag");
        assertRefused(five.apply(new SendLocalListRequest(6, List.of(), null), MAX), UpdateStatus.Failed,
                "updateType");
    }

    @Test
    void anIdTagTwiceInOneRequestFailsWhateverItsCase() {
        assertRefused(five.apply(differential(6, entry("C", AuthorizationStatus.Accepted), removal("c")), MAX),
                UpdateStatus.Failed, "more than once");
    }

    @Test
    void lookupIgnoresCaseAndKeepsTheSpelling() {
        assertThat(five.entry("a").orElseThrow().idTag()).isEqualTo("A");
        assertThat(five.entry("Z")).isEmpty();
    }

    @Test
    void storedListsAreCheckedOnLoad() {
        Instant expiry = Instant.parse("2030-01-01T00:00:00Z");
        ListSnapshot loaded = ListSnapshot.of(3, List.of(new AuthorizationData("A",
                new IdTagInfo(expiry, "G", AuthorizationStatus.Accepted))));
        assertThat(loaded.version()).isEqualTo(3);
        assertThat(loaded.entry("A").orElseThrow().idTagInfo().expiryDate()).isEqualTo(expiry);
        assertThat(ListSnapshot.of(0, List.of())).isSameAs(ListSnapshot.EMPTY);

        assertThatThrownBy(() -> ListSnapshot.of(0, List.of(entry("A", AuthorizationStatus.Accepted))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> ListSnapshot.of(2, List.of(removal("A"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no idTagInfo");
    }
}
