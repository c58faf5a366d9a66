package org.chargeedge.centralsystem.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WebSocket pings: {@link org.chargeedge.api.charger.ChargerInfo#lastSeen()} counts answered pings too. */
class PingTest {

    @TempDir
    Path dataDir;

    @Test
    void answeredPingsUpdateLastSeen() throws Exception {
        try (CentralSystemHarness harness = new CentralSystemHarness(dataDir, Map.of("pingInterval", 1));
             RawCharger cp = RawCharger.connectReady(harness, "PING-1")) {
            Instant afterHeartbeat = harness.centralSystem.charger("PING-1").orElseThrow().lastSeen();
            // The JDK client answers pings with pongs by itself; the charger sends no frame of its own.
            Await.until("lastSeen advanced by a pong", () -> harness.centralSystem.charger("PING-1").orElseThrow()
                    .lastSeen().isAfter(afterHeartbeat), Duration.ofMillis(3500));
            assertThat(harness.centralSystem.charger("PING-1").orElseThrow().connected()).isTrue();
        }
    }
}
