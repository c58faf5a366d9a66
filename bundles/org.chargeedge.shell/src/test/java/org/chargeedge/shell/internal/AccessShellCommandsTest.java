package org.chargeedge.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.chargeedge.api.charger.ChargerAccess;
import org.junit.jupiter.api.Test;

/** The commissioning commands print what the access service answers, its refusals included. */
class AccessShellCommandsTest {

    private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");
    private final List<String> calls = new ArrayList<>();

    private final ChargerAccess access = new ChargerAccess() {
        @Override
        public int siteSecurityProfile() {
            return 1;
        }

        @Override
        public boolean openToUnknownChargers() {
            return false;
        }

        @Override
        public Optional<Instant> commissioningUntil() {
            return Optional.empty();
        }

        @Override
        public List<KnownCharger> knownChargers() {
            return List.of(new KnownCharger("CP-1", 1, true, true, false, T0),
                    new KnownCharger("CP-2", 3, false, false, true, null));
        }

        @Override
        public List<WaitingCharger> waitingChargers() {
            return List.of(new WaitingCharger("NEW-7", "10.0.0.7", T0, T0.plusSeconds(60), 4));
        }

        @Override
        public List<Refusal> recentRefusals() {
            return List.of(new Refusal("CP-1", "10.0.0.9", "wrong password", T0, T0.plusSeconds(5), 12));
        }

        @Override
        public KnownCharger accept(String id) {
            calls.add("accept " + id);
            return new KnownCharger(id, 1, true, false, false, T0);
        }

        @Override
        public boolean forget(String id) {
            calls.add("forget " + id);
            return false;
        }

        @Override
        public KnownCharger setSecurityProfile(String id, Integer profile) {
            calls.add("profile " + id + " " + profile);
            throw new IllegalArgumentException(id + " has no password yet: set one first");
        }

        @Override
        public KnownCharger setAuthorizationKey(String id, String key) {
            calls.add("setkey " + id);
            return new KnownCharger(id, 1, true, true, false, T0);
        }

        @Override
        public CompletionStage<KnownCharger> provisionAuthorizationKey(String id, int profile) {
            calls.add("pushkey " + id + " " + profile);
            return CompletableFuture.failedFuture(new IllegalArgumentException(id
                    + " answered NotSupported to the new AuthorizationKey; nothing changed"));
        }

        @Override
        public String hashAuthorizationKey(String key) {
            return "$2y$10$hash-of-" + key.length();
        }

        @Override
        public Instant openCommissioning(Duration length) {
            calls.add("commission " + length.toMinutes());
            return T0.plus(length);
        }

        @Override
        public void closeCommissioning() {
            calls.add("commission off");
        }
    };

    private final AccessShellCommands shell = new AccessShellCommands(access);

    @Test
    void accessShowsKnownWaitingAndRefused() {
        String out = shell.access();
        assertThat(out).contains("refused and listed as waiting")
                .contains("CP-1", "profile 1 (site), password set, accepted 2026-12-05 10:00:00Z")
                .contains("CP-2", "profile 3, password none, from the configuration")
                .contains("NEW-7", "from 10.0.0.7, 4 attempts")
                .contains("12 times", "wrong password");
    }

    @Test
    void changesReportTheServicesRefusalAsItIs() {
        assertThat(shell.accept("NEW-7")).isEqualTo("Accepted NEW-7, profile 1 (site), password none");
        assertThat(shell.profile("CP-1", "2")).isEqualTo("Refused: CP-1 has no password yet: set one first");
        assertThat(shell.profile("CP-1", "two")).startsWith("Refused: a security profile is 0, 1, 2, 3");
        assertThat(shell.forget("CP-9")).contains("nothing changed");
        assertThat(shell.pushkey("CP-1", 1)).isEqualTo(
                "Failed: CP-1 answered NotSupported to the new AuthorizationKey; nothing changed");
        assertThat(shell.commission("30")).contains("2026-12-05 10:30:00Z");
        assertThat(shell.commission("soon")).startsWith("Refused: give the window's length in minutes");
        assertThat(shell.commission("off")).isEqualTo("Commissioning window closed");
        assertThat(calls).containsExactly("accept NEW-7", "profile CP-1 2", "forget CP-9", "pushkey CP-1 1",
                "commission 30", "commission off");
    }

    @Test
    void profileDefaultReturnsTheChargerToTheSiteProfile() {
        shell.profile("CP-1", "default");
        assertThat(calls).containsExactly("profile CP-1 null");
    }
}
