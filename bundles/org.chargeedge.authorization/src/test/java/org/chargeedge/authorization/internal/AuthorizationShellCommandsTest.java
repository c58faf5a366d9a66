package org.chargeedge.authorization.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.chargeedge.authorization.internal.TestSupport.T0;
import static org.chargeedge.authorization.internal.TestSupport.charger;
import static org.chargeedge.authorization.internal.TestSupport.config;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import org.chargeedge.api.charger.ChargerCallException;
import org.chargeedge.api.charger.ChargerCommands;
import org.chargeedge.api.charger.ChargerInfo;
import org.chargeedge.authorization.internal.TestSupport.MutableClock;
import org.chargeedge.ocpp.v16.AuthorizationData;
import org.chargeedge.ocpp.v16.AuthorizationStatus;
import org.chargeedge.ocpp.v16.Confirmation;
import org.chargeedge.ocpp.v16.IdTagInfo;
import org.chargeedge.ocpp.v16.Request;
import org.chargeedge.ocpp.v16.SendLocalListConfirmation;
import org.chargeedge.ocpp.v16.SendLocalListRequest;
import org.chargeedge.ocpp.v16.UpdateStatus;
import org.chargeedge.ocpp.v16.UpdateType;
import org.junit.jupiter.api.Test;

class AuthorizationShellCommandsTest {

    private final InMemoryAuthorizationRepository repository = new InMemoryAuthorizationRepository();
    private final MutableClock clock = new MutableClock(T0);
    private final ChargerInfo offline = new ChargerInfo("CP-OFF", false, T0, T0, "10.0.0.9:1", null, null, T0,
            List.of(), List.of());
    private final List<ChargerInfo> chargers = List.of(charger("CP-1"), charger("CP-2"), offline);
    private final LocalAuthorization auth = new LocalAuthorization(config(Map.of("maxListLength", 3)), repository,
            TestSupport.site(() -> chargers), clock, null);

    /** What each charger was sent; the answer is Accepted, except CP-2 which is not connected. */
    private final Map<String, Request<?>> sent = new ConcurrentHashMap<>();
    private final ChargerCommands commands = new ChargerCommands() {
        @Override
        @SuppressWarnings("unchecked")
        public <C extends Confirmation> CompletionStage<C> call(String chargePointId, Request<C> request) {
            sent.put(chargePointId, request);
            if (chargePointId.equals("CP-2")) {
                return CompletableFuture.failedFuture(new ChargerCallException(chargePointId,
                        ChargerCallException.Reason.NOT_CONNECTED, null, "CP-2 is not connected"));
            }
            return CompletableFuture.completedFuture((C) new SendLocalListConfirmation(UpdateStatus.Accepted));
        }
    };
    private final AuthorizationShellCommands shell = new AuthorizationShellCommands(auth, commands,
            TestSupport.site(() -> chargers));

    @Test
    void authsetAddsAndChangesEntriesAndBumpsTheVersion() {
        assertThat(shell.authset("CARD-1", "accepted")).contains("list version 1").contains("CARD-1")
                .contains("Accepted");
        assertThat(shell.authset("CARD-2", "Blocked", "2030-01-01")).contains("list version 2")
                .contains("2030-01-01T00:00:00Z");
        assertThat(shell.authset("CARD-3", "Accepted", "2030-06-01T12:00:00Z", "FLEET")).contains("FLEET");
        assertThat(shell.authset("card-1", "Expired", "-", "FLEET")).contains("list version 4");

        assertThat(auth.version()).isEqualTo(4);
        assertThat(auth.entry("CARD-1")).contains(new AuthorizationData("card-1",
                new IdTagInfo(null, "FLEET", AuthorizationStatus.Expired)));
        assertThat(auth.entry("CARD-2").orElseThrow().idTagInfo().expiryDate())
                .isEqualTo(Instant.parse("2030-01-01T00:00:00Z"));
        assertThat(auth.entry("CARD-3").orElseThrow().idTagInfo())
                .isEqualTo(new IdTagInfo(Instant.parse("2030-06-01T12:00:00Z"), "FLEET", AuthorizationStatus.Accepted));
        assertThat(shell.authlist()).contains("version 4, 3 entries").contains("card-1").contains("CARD-2")
                .contains("CARD-3");
    }

    @Test
    void authsetRefusesBadInputAndAFullList() {
        assertThat(shell.authset("CARD", "Welcome")).startsWith("Status must be");
        assertThat(shell.authset("CARD", "ConcurrentTx")).startsWith("Status must be");
        assertThat(shell.authset("CARD", "Accepted", "next week")).startsWith("Expiry must be");
        assertThat(shell.authset("X".repeat(21), "Accepted")).startsWith("Not changed: Failed");
        shell.authset("A", "Accepted");
        shell.authset("B", "Accepted");
        shell.authset("C", "Accepted");

        assertThat(shell.authset("D", "Accepted")).startsWith("Not changed: Failed").contains("maximum of 3");
        assertThat(auth.version()).isEqualTo(3);
        assertThat(auth.entry("D")).isEmpty();
    }

    @Test
    void authremoveRemovesOnlyWhatIsThere() {
        shell.authset("CARD-1", "Accepted");

        assertThat(shell.authremove("NOPE")).contains("not in the local list");
        assertThat(auth.version()).isEqualTo(1);
        assertThat(shell.authremove("card-1")).isEqualTo("Removed card-1 (list version 2)");
        assertThat(auth.entries()).isEmpty();
        assertThat(shell.authlist()).startsWith("Local authorization list version 2, 0 entries");
    }

    @Test
    void authpushSendsTheWholeListToOneOrAllConnectedChargers() {
        assertThat(shell.authpush("all")).contains("never set");
        assertThat(sent).isEmpty();
        shell.authset("CARD-1", "Accepted");
        shell.authset("CARD-2", "Blocked");

        assertThat(shell.authpush("CP-1")).contains("version 2, 2 entries").contains("CP-1").contains("Accepted");
        SendLocalListRequest expected = new SendLocalListRequest(2, List.of(
                new AuthorizationData("CARD-1", IdTagInfo.of(AuthorizationStatus.Accepted)),
                new AuthorizationData("CARD-2", IdTagInfo.of(AuthorizationStatus.Blocked))), UpdateType.Full);
        assertThat(sent).containsOnlyKeys("CP-1").containsEntry("CP-1", expected);

        String all = shell.authpush("all");
        assertThat(all).containsPattern("CP-1 +Accepted").containsPattern("CP-2 +Failed: CP-2 is not connected")
                .doesNotContain("CP-OFF");
        assertThat(sent).containsOnlyKeys("CP-1", "CP-2");
    }

    @Test
    void authcacheListsAndAuthclearcacheClears() {
        assertThat(shell.authcache()).isEqualTo("Authorization cache: 0 entries\n");
        auth.put("GUEST", new IdTagInfo(Instant.parse("2030-01-01T00:00:00Z"), "FLEET", AuthorizationStatus.Accepted));

        assertThat(shell.authcache()).contains("1 entry").containsPattern("GUEST +Accepted +2030-01-01T00:00:00Z +FLEET "
                + "+2026-11-24T10:00:00Z");
        assertThat(shell.authclearcache()).isEqualTo("Authorization cache cleared");
        assertThat(shell.authcache()).contains("0 entries");
        assertThat(auth.get("GUEST")).isEmpty();
    }
}
