package org.chargeedge.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.chargeedge.store.internal.Fixtures.result;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.chargeedge.api.store.BalancerMemory.ChargerCapabilities;
import org.chargeedge.api.store.BalancerMemory.Remembered;
import org.chargeedge.api.store.BalancerMemory.SentProfile;
import org.chargeedge.api.store.BalancerMemory.SessionMode;
import org.junit.jupiter.api.Test;

/**
 * What the load balancer keeps (schema V8 to V10): session and charger modes, learnt capabilities, the profiles
 * chargers accepted, across a restart.
 */
class BalancerMemoryTest extends StoreFileTest {

    @Test
    void modesAndCapabilitiesSurviveARestartAndTheLatestWins() throws Exception {
        assertThat(store.remembered()).isEqualTo(new Remembered(java.util.List.of(), Map.of(), java.util.List.of()));
        Instant departure = Instant.parse("2026-05-01T07:30:00Z");
        Instant learnt = Instant.parse("2026-04-30T20:00:00Z");
        result(store.saveSessionMode(new SessionMode("CP-1", 1, 17, "PV", null, null)));
        result(store.saveSessionMode(new SessionMode("CP-1", 2, null, "Scheduled", departure, 12_000.0)));
        result(store.saveSessionMode(new SessionMode("CP-2", 1, 18, "Off", null, null)));
        // the connector's newer mode replaces its older one
        result(store.saveSessionMode(new SessionMode("CP-1", 1, 17, "MinPV", null, null)));
        result(store.forgetSessionMode("CP-2", 1));
        result(store.saveChargerMode("CP-1", "PV"));
        result(store.saveChargerMode("CP-3", "Off"));
        result(store.saveChargerMode("CP-3", null));
        result(store.saveCapabilities(new ChargerCapabilities("CP-1", "W", false, true, false, "1.2.3", learnt)));
        result(store.saveCapabilities(new ChargerCapabilities("CP-2", null, false, false, true, null, learnt)));
        result(store.saveCapabilities(new ChargerCapabilities("CP-4", "A", false, false, false, "2.0", learnt, true,
                Duration.ofMillis(42_500))));
        result(store.saveCapabilities(new ChargerCapabilities("CP-5", "W", false, false, false, null, learnt, false,
                null, true)));
        reopen();

        Remembered r = store.remembered();
        assertThat(r.sessionModes()).containsExactly(new SessionMode("CP-1", 1, 17, "MinPV", null, null),
                new SessionMode("CP-1", 2, null, "Scheduled", departure, 12_000.0));
        assertThat(r.chargerModes()).isEqualTo(Map.of("CP-1", "PV"));
        assertThat(r.capabilities()).containsExactly(
                new ChargerCapabilities("CP-1", "W", false, true, false, "1.2.3", learnt),
                new ChargerCapabilities("CP-2", null, false, false, true, null, learnt),
                new ChargerCapabilities("CP-4", "A", false, false, false, "2.0", learnt, true,
                        Duration.ofMillis(42_500)),
                new ChargerCapabilities("CP-5", "W", false, false, false, null, learnt, false, null, true));
        assertThat(r.capabilities().get(2).relativeTxProfiles()).as("not said: Absolute").isFalse();
        assertThat(r.capabilities().get(0).switchesPhases()).as("not said: does not switch phases").isFalse();
        assertThat(r.capabilities().get(0).reactionTime()).as("not measured").isNull();

        result(store.saveCapabilities(new ChargerCapabilities("CP-1", "A", false, false, false, "1.3.0", learnt)));
        assertThat(store.remembered().capabilities().get(0).unit()).isEqualTo("A");
    }

    @Test
    void acceptedProfilesSurviveARestartOnePerConnector() throws Exception {
        Instant at = Instant.parse("2026-05-01T10:00:00Z");
        Instant switched = Instant.parse("2026-05-01T09:40:00Z");
        result(store.saveSentProfile(new SentProfile("CP-1", 0, null, 10.5, null, at, 0, null, null)));
        result(store.saveSentProfile(new SentProfile("CP-1", 1, 17, 16, at.plusSeconds(300), at, 3, null, at)));
        result(store.saveSentProfile(new SentProfile("CP-1", 2, 18, 6, at.plusSeconds(300), at, 1, switched,
                switched)));
        result(store.saveSentProfile(new SentProfile("CP-2", 1, 19, 32, at.plusSeconds(300), at, 0, null, null)));
        // the connector's newer profile replaces the older one; a session that ended is forgotten
        result(store.saveSentProfile(new SentProfile("CP-1", 1, 17, 12.5, at.plusSeconds(360), at.plusSeconds(60), 3,
                null, at)));
        result(store.forgetSentProfile("CP-2", 1));
        reopen();

        assertThat(store.remembered().sentProfiles()).containsExactly(
                new SentProfile("CP-1", 0, null, 10.5, null, at, 0, null, null),
                new SentProfile("CP-1", 1, 17, 12.5, at.plusSeconds(360), at.plusSeconds(60), 3, null, at),
                new SentProfile("CP-1", 2, 18, 6, at.plusSeconds(300), at, 1, switched, switched));
    }

    @Test
    void aProfileWithoutItsSessionOrValidityIsNotAProfile() {
        Instant at = Instant.now();
        assertThatThrownBy(() -> new SentProfile("CP-1", 1, null, 6, at, at, 0, null, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SentProfile("CP-1", 1, 3, 6, null, at, 0, null, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SentProfile("CP-1", 0, 3, 6, null, at, 0, null, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SentProfile("CP-1", 1, 3, Double.NaN, at, at, 0, null, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void whatCannotBeKeptIsRefusedBeforeAnythingIsWritten() throws Exception {
        assertThatThrownBy(() -> store.saveCapabilities(new ChargerCapabilities("CP-1", "kW", false, false, false,
                null, Instant.now()))).hasMessageContaining("A or W");
        assertThatThrownBy(() -> store.saveSessionMode(new SessionMode("CP-1", 1, 1, " ", null, null)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(store.remembered().sessionModes()).isEmpty();
        assertThat(store.remembered().capabilities()).isEmpty();
    }
}
