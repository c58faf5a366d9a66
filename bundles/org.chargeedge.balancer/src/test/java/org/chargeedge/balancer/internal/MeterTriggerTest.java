package org.chargeedge.balancer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session that ran through the charger's connection (the gateway restarted, or the charger reconnected, in the
 * middle of it) has no draw the controller has seen: it asks for the connector's MeterValues at once
 * (TriggerMessage), instead of counting the car as other load on the grid meter until the charger's next
 * MeterValues. A session that starts on this connection reports its draw anyway: it is not asked. Over real
 * WebSockets.
 */
class MeterTriggerTest {

    @TempDir
    Path dir;
    TestSite site;

    @AfterEach
    void close() throws Exception {
        if (site != null) {
            site.close();
        }
    }

    @Test
    void aSessionFromBeforeTheConnectionIsAskedForItsDrawAndANewOneIsNot() throws Exception {
        site = new TestSite(dir, Map.of("gridLimitA", 40.0, "safeBudgetA", 20.0, "minIntervalMillis", 50,
                "siteConnectors", 2));
        site.gridReading();
        SimCharger old = site.charger("CP-O", 3, 10, Duration.ZERO);
        SimCharger fresh = site.charger("CP-N", 3, 16, Duration.ZERO);
        // a transaction the charger started an hour ago, while it was not connected here: no MeterValues yet
        old.status("Charging");
        old.transactionId = old.call("StartTransaction", "{\"connectorId\":1,\"idTag\":\"TAG-O\",\"meterStart\":0,"
                + "\"timestamp\":\"" + Instant.now().minus(Duration.ofHours(1)) + "\"}").get("transactionId").intValue();
        old.drawA = 10;
        fresh.start();

        // (the MeterValues it answers with go out on the charger's own thread: its TxProfile may be followed
        // before, and the draw be 6 A then)
        site.until("the old session's draw is asked for and seen", () -> old.meterTriggers.get() == 1
                && row("CP-O/1") != null && !row("CP-O/1").draw().equals("unknown"));
        site.until("both sessions have their TxProfiles", () -> old.lastTxProfile() != null
                && fresh.lastTxProfile() != null);
        assertThat(fresh.meterTriggers.get()).as("a session of this connection is not asked").isZero();
        assertThat(old.meterTriggers.get()).as("asked once").isEqualTo(1);
    }

    @Test
    void aChargerBackWithoutBootingIsAskedForItsDrawAtOnceAndGivenProfilesAfterTheGrace() throws Exception {
        site = new TestSite(dir, Map.of("gridLimitA", 40.0, "safeBudgetA", 20.0, "minIntervalMillis", 50,
                "siteConnectors", 2));
        site.gridReading();
        // the gateway restarted, the charger did not: it connects again without a BootNotification, its session
        // running since before
        SimCharger back = new SimCharger(site.centralSystem.url("CP-U"), "CP-U", 3, 10, Duration.ZERO);
        site.chargers.add(back);
        back.status("Charging");
        back.transactionId = back.call("StartTransaction", "{\"connectorId\":1,\"idTag\":\"TAG-U\",\"meterStart\":0,"
                + "\"timestamp\":\"" + Instant.now().minus(Duration.ofHours(1)) + "\"}").get("transactionId").intValue();
        back.drawA = 10;
        long t0 = System.nanoTime();
        site.until("its draw is asked for and seen", () -> back.meterTriggers.get() == 1
                && row("CP-U/1") != null && row("CP-U/1").draw().startsWith("10.0/"));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("well within the grace")
                .isLessThan(BalancerController.UNBOOTED_GRACE.minusSeconds(5));
        assertThat(back.setChargingProfileCalls.get()).as("no profile within the grace").isZero();
        site.until("its profiles after the grace", () -> back.lastTxProfile() != null, Duration.ofSeconds(15));
    }

    private BalanceStatus.ConnectorRow row(String ref) {
        BalanceStatus s = site.controller.status();
        return s == null ? null : s.connectors().stream().filter(r -> r.ref().equals(ref)).findFirst().orElse(null);
    }
}
