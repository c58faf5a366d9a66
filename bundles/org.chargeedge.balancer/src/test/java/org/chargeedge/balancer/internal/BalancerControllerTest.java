package org.chargeedge.balancer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import org.chargeedge.balancer.core.SiteSnapshot.Mode;
import org.chargeedge.balancer.internal.SimCharger.Profile;
import org.chargeedge.balancer.internal.SimCharger.Quirk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller on a real site: the central system over real WebSockets,
 * the real energy model, simulated chargers that follow (or not) the
 * profiles they get. Grid limit 40 A per phase, safe budget 20 A.
 */
class BalancerControllerTest {

    @TempDir
    Path dir;
    TestSite site;

    private TestSite site(Map<String, Object> overrides) throws Exception {
        Map<String, Object> config = new HashMap<>(Map.of("gridLimitA", 40.0, "safeBudgetA", 20.0,
                "minIntervalMillis", 50, "rampUpIntervalSeconds", 1, "rampUpStepA", 32.0, "reactionTimeSeconds", 2,
                "siteConnectors", 2));
        config.putAll(overrides);
        site = new TestSite(dir, config);
        return site;
    }

    @AfterEach
    void close() throws Exception {
        if (site != null) {
            site.close();
        }
    }

    @Test
    void eachChargerGetsItsShareOfTheSafeBudgetAsTxDefaultProfileAtBoot() throws Exception {
        site(Map.of());
        SimCharger a = site.charger("CP-A", 3, 32, Duration.ZERO);
        SimCharger b = site.charger("CP-B", 3, 32, Duration.ZERO);
        until("both got a TxDefaultProfile", () -> a.lastDefault() != null && b.lastDefault() != null);
        for (SimCharger c : new SimCharger[] {a, b}) {
            Profile p = c.lastDefault();
            assertThat(p.connectorId()).isZero();
            assertThat(p.unit()).isEqualTo("A");
            // (40 - 20) A shared by the 2 connectors of the site
            assertThat(p.limit()).isEqualTo(10.0);
            assertThat(p.validTo()).isNull();
            assertThat(c.otherCalls.get()).as("GetConfiguration read once").isEqualTo(1);
        }
        until("the safe share is in force", () -> site.controller.status() != null
                && site.controller.status().chargers().stream().allMatch(r -> Double.valueOf(10.0).equals(r.safeShareA())));
    }

    @Test
    void anOverloadOnTheGridMeterReducesEveryChargerAtOnce() throws Exception {
        site(Map.of());
        SimCharger[] ab = twoSessions(4, 16);
        SimCharger a = ab[0];
        SimCharger b = ab[1];
        until("both charge at their car's maximum", () -> {
            site.gridReading();
            return a.lastTxProfile() != null && b.lastTxProfile() != null && draws(a, 16) && draws(b, 16);
        }, Duration.ofSeconds(10));
        assertThat(a.lastTxProfile().limit()).isGreaterThanOrEqualTo(16);

        site.buildingA = 24;
        long overload = System.nanoTime();
        site.gridReading();
        until("both reduced to 8 A", () -> limitAtMost(a, 8, overload) && limitAtMost(b, 8, overload),
                Duration.ofSeconds(2));
        long reacted = Math.max(a.lastTxProfile().nanos(), b.lastTxProfile().nanos()) - overload;
        assertThat(Duration.ofNanos(reacted)).isLessThan(Duration.ofMillis(1000));
        until("the grid is within its limit", () -> site.gridMaxPhase() <= 40);
        assertThat(site.controller.status().budget()).isEqualTo("grid meter");
    }

    @Test
    void aStaleGridMeterMeansTheSafeBudget() throws Exception {
        site(Map.of());
        site.buildingA = 0;
        site.gridReading(Duration.ofSeconds(1));
        SimCharger a = site.charger("CP-A", 3, 32, Duration.ZERO);
        SimCharger b = site.charger("CP-B", 3, 32, Duration.ZERO);
        a.start();
        b.start();
        until("both get 20 A from the fresh meter", () -> {
            site.gridReading(Duration.ofSeconds(1));
            return limitIs(a, 20) && limitIs(b, 20);
        });
        // no reading any more: after a second it is stale, and the worst-case building load is assumed
        until("both reduced to the safe budget's 10 A", () -> limitIs(a, 10) && limitIs(b, 10),
                Duration.ofSeconds(4));
        BalanceStatus s = site.controller.status();
        assertThat(s.safeBudgetInUse()).isTrue();
        assertThat(s.budget()).isEqualTo("safe budget: grid meter stale");
        assertThat(BalanceCommands.render(s)).contains("Safe budget      20.0 A per phase, IN USE");
    }

    @Test
    void aChargerThatIgnoresItsLimitIsCountedAtItsDrawAndTheOthersAreReduced() throws Exception {
        site(Map.of());
        SimCharger[] ab = twoSessions(0, 32, Quirk.IGNORES_LIMITS);
        SimCharger a = ab[0];
        SimCharger b = ab[1];
        until("both were offered 20 A", () -> limitIs(a, 20) && limitIs(b, 20));
        // b keeps drawing 32 A, above the limit it accepted: within its reaction time (2 s) it is counted at 32 A
        // and a gets what is left
        until("b is marked", () -> {
            b.meterValues();
            site.gridReading();
            return row("CP-B/1").control().equals("IGNORES its limit");
        }, Duration.ofSeconds(6));
        until("a is reduced to 8 A", () -> {
            site.gridReading();
            return limitIs(a, 8);
        });
        BalanceStatus.ConnectorRow row = row("CP-B/1");
        assertThat(row.control()).isEqualTo("IGNORES its limit");
        assertThat(row.reason()).contains("ignores its limit");
        assertThat(b.lastTxProfile().limit()).as("asked for the minimum").isEqualTo(6.0);
    }

    @Test
    void aChargerThatFollowsWithinItsReactionTimeIsNotMarked() throws Exception {
        site(Map.of());
        SimCharger[] ab = twoSessions(4, 16, Duration.ofMillis(1000));
        SimCharger a = ab[0];
        SimCharger b = ab[1];
        until("both draw 16 A", () -> {
            site.gridReading();
            return limitIs(a, 18) && limitIs(b, 18) && draws(a, 16) && draws(b, 16);
        }, Duration.ofSeconds(10));
        site.buildingA = 24;
        site.gridReading();
        // b keeps drawing 16 A for a second after it accepted 8 A, and says so, then follows
        long end = System.nanoTime() + Duration.ofMillis(3000).toNanos();
        boolean sawOverLimit = false;
        while (System.nanoTime() < end) {
            b.meterValues();
            sawOverLimit |= limitIs(b, 8) && b.reportedA == 16;
            assertThat(row("CP-B/1").control()).isEqualTo("follows");
            Thread.sleep(100);
        }
        assertThat(sawOverLimit).as("b reported its old draw under the new limit: " + b.profiles).isTrue();
        assertThat(b.reportedA).isEqualTo(8.0);
        assertThat(limitIs(a, 8)).isTrue();
    }

    @Test
    void aChargerThatRejectsTxProfilesIsMarkedAndItsCallsAreNotDelayed() throws Exception {
        site(Map.of());
        SimCharger[] ab = twoSessions(0, 32, Quirk.REJECTS_TX_PROFILE);
        SimCharger a = ab[0];
        SimCharger b = ab[1];
        site.until("b is marked", () -> row("CP-B/1") != null
                && row("CP-B/1").control().equals("takes no TxProfile"), Duration.ofSeconds(10));
        // its unit came from GetConfiguration (Current): the rejection is not blamed on the unit; tried as
        // Absolute, then once as Relative, then given up
        long tried = b.txProfiles();
        assertThat(tried).isEqualTo(2);
        assertThat(b.kinds).containsSubsequence("TxProfile Absolute", "TxProfile Relative");
        // b draws its 10 A safe share (its TxDefaultProfile): counted at that, a gets the rest
        until("a gets the rest", () -> {
            site.gridReading();
            return limitIs(a, 30);
        });
        long t0 = System.nanoTime();
        b.meterValues();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(500));
        Thread.sleep(1500);
        assertThat(b.txProfiles()).as("no more TxProfiles for a charger that rejects them").isEqualTo(tried);
        assertThat(BalanceCommands.render(site.controller.status())).contains("rejects TxProfile");
    }

    @Test
    void aChargerThatTakesOnlyRelativeProfilesGetsItsTxProfilesSoAndFollowsThem() throws Exception {
        site(Map.of());
        SimCharger[] ab = twoSessions(0, 32, Quirk.RELATIVE_ONLY);
        SimCharger b = ab[1];
        site.until("b's TxProfile taken as Relative", () -> {
            site.gridReading();
            Profile p = b.lastTxProfile();
            return p != null && p.answer().equals("Accepted");
        }, Duration.ofSeconds(10));
        assertThat(b.kinds.stream().filter(k -> k.startsWith("TxProfile"))).startsWith("TxProfile Absolute")
                .containsOnlyOnce("TxProfile Absolute");
        assertThat(b.kinds.get(b.kinds.size() - 1)).isEqualTo("TxProfile Relative");
        until("it is shown", () -> BalanceCommands.render(site.controller.status())
                .contains("TxProfiles as Relative") && "follows".equals(row("CP-B/1").control()));
        // and its limits keep going to it: the building takes 10 A more, b falls as Relative
        site.buildingA = 10;
        site.until("b falls to 15 A", () -> {
            site.gridReading();
            return limitIs(b, 15);
        }, Duration.ofSeconds(10));
        assertThat(b.kinds.get(b.kinds.size() - 1)).isEqualTo("TxProfile Relative");
    }

    @Test
    void aChargerWithoutSmartChargingIsLeftAloneAndCountedAtItsDraw() throws Exception {
        site(Map.of());
        site.buildingA = 0;
        site.gridReading();
        SimCharger a = site.charger("CP-A", 3, 32, Duration.ZERO);
        SimCharger c = site.charger("CP-C", 3, 16, Duration.ZERO, Quirk.NOT_SUPPORTED);
        a.start();
        c.start();
        until("a gets what c leaves", () -> {
            site.gridReading();
            return limitIs(a, 24);
        });
        int calls = c.setChargingProfileCalls.get();
        assertThat(calls).isEqualTo(1);
        Thread.sleep(1000);
        assertThat(c.setChargingProfileCalls.get()).isEqualTo(calls);
        assertThat(row("CP-C/1").reason()).contains("counted at the 16.0 A it draws");
    }

    @Test
    void oneCommandInFlightPerChargerAndOnlyTheLatestLimitFollows() throws Exception {
        site(Map.of("siteConnectors", 1));
        site.buildingA = 10;
        site.gridReading();
        SimCharger a = site.charger("CP-A", 3, 32, Duration.ZERO, Quirk.SLOW_ANSWERS);
        a.answerDelay = Duration.ofMillis(1000);
        a.start();
        until("30 A in force", () -> {
            site.gridReading();
            return limitIs(a, 30) && site.controller.status().chargers().get(0).inFlight() == null;
        }, Duration.ofSeconds(8));
        long before = a.txProfiles();
        // four rising building loads while the first fall is in flight
        for (double building : new double[] {14, 18, 22, 26}) {
            site.buildingA = building;
            site.gridReading();
            Thread.sleep(120);
        }
        until("the last limit, 14 A, is in force", () -> limitIs(a, 14) && draws(a, 14), Duration.ofSeconds(5));
        assertThat(a.txProfiles() - before).as("the first fall, then only the latest").isEqualTo(2);
    }

    @Test
    void unchangedReadingsSendNothing() throws Exception {
        site(Map.of());
        SimCharger[] ab = twoSessions(5, 32);
        SimCharger a = ab[0];
        SimCharger b = ab[1];
        until("17.5 A each", () -> {
            site.gridReading();
            return limitIs(a, 17.5) && limitIs(b, 17.5) && draws(a, 17.5) && draws(b, 17.5);
        }, Duration.ofSeconds(10));
        long sent = a.txProfiles() + b.txProfiles() + a.profiles.size() + b.profiles.size();
        for (int i = 0; i < 15; i++) {
            site.gridReading();
            a.meterValues();
            Thread.sleep(60);
        }
        assertThat(a.txProfiles() + b.txProfiles() + a.profiles.size() + b.profiles.size()).as(a.profiles + "\n"
                + b.profiles).isEqualTo(sent);
    }

    @Test
    void txProfilesAreRenewedBeforeTheyExpire() throws Exception {
        site(Map.of("profileValiditySeconds", 2, "siteConnectors", 1));
        site.buildingA = 0;
        site.gridReading();
        SimCharger a = site.charger("CP-A", 3, 32, Duration.ZERO);
        a.start();
        until("32 A in force", () -> {
            site.gridReading();
            return limitIs(a, 32);
        });
        Profile first = a.lastTxProfile();
        assertThat(first.validTo()).isAfter(first.at()).isBefore(first.at().plusSeconds(3));
        until("renewed", () -> {
            site.gridReading();
            return a.lastTxProfile() != first;
        }, Duration.ofSeconds(3));
        Profile renewal = a.lastTxProfile();
        assertThat(renewal.at()).isBefore(first.validTo());
        assertThat(renewal.validTo()).isAfter(first.validTo());
        assertThat(renewal.limit()).isEqualTo(first.limit());
    }

    @Test
    void theDefaultGridLimitIsUsedAndSaidUntilTheInstallerSetsOne() throws Exception {
        Map<String, Object> config = new HashMap<>();
        config.put("gridLimitA", 0.0);
        config.put("siteConnectors", 1);
        site(config);
        SimCharger a = site.charger("CP-A", 3, 32, Duration.ZERO);
        until("a TxDefaultProfile", () -> a.lastDefault() != null);
        // default grid limit 25 A minus the safe budget 20 A: below 6 A, so the fallback is a pause
        assertThat(a.lastDefault().limit()).isEqualTo(0.0);
        BalanceStatus s = site.controller.status();
        assertThat(s.gridLimitDefault()).isTrue();
        assertThat(s.gridLimitA()).isEqualTo(SiteSettings.DEFAULT_GRID_LIMIT_A);
        assertThat(BalanceCommands.render(s)).contains("25.0 A per phase  DEFAULT: not set by the installer");

        config.put("gridLimitA", 63.0);
        site.controller.reconfigure(SiteSettings.from(TestSite.config(config)));
        until("the installer's limit", () -> !site.controller.status().gridLimitDefault());
        assertThat(BalanceCommands.render(site.controller.status())).doesNotContain("DEFAULT");
        until("the fallback follows the new limit", () -> a.lastDefault().limit() == 32.0);
    }

    @Test
    void aChargerThatTakesOnlyWattsGetsWatts() throws Exception {
        site(Map.of());
        SimCharger w = site.charger("CP-W", 1, 32, Duration.ZERO, Quirk.POWER_ONLY);
        until("a TxDefaultProfile", () -> w.lastDefault() != null);
        assertThat(w.profiles).allMatch(p -> p.unit().equals("W"));
        assertThat(w.lastDefault().limit()).isEqualTo(10.0 * 230 * 3);
    }

    @Test
    void modeOffPausesTheSession() throws Exception {
        site(Map.of());
        site.buildingA = 0;
        site.gridReading();
        SimCharger a = site.charger("CP-A", 3, 32, Duration.ZERO);
        a.start();
        until("charging", () -> limitIs(a, 32));
        assertThat(site.controller.setSessionMode("CP-A", 1, Mode.OFF).get()).contains("Off for transaction");
        until("paused", () -> limitIs(a, 0));
        assertThat(row("CP-A/1").reason()).isEqualTo("mode Off");
        assertThatThrownBy(() -> site.controller.setChargerDefault("CP-X", Mode.FAST).get()).hasCauseInstanceOf(org.chargeedge.api.balancer.ModeRefusedException.class).hasMessageContaining("unknown charger CP-X");
    }

    @Test
    void aChargerThatResumesAtFullCurrentAfterAPauseIsCountedAtOnceAndGetsItsProfileAgain() throws Exception {
        // a reaction time far longer than the test: what happens, happens because the draw is above both the
        // limit and the one before it
        site(Map.of("reactionTimeSeconds", 30, "minOffSeconds", 0));
        SimCharger[] ab = twoSessions(0, 32, Quirk.RESUMES_AT_FULL);
        SimCharger b = ab[1];
        until("both were offered 20 A", () -> limitIs(ab[0], 20) && limitIs(b, 20));
        site.controller.setSessionMode("CP-B", 1, Mode.OFF).get();
        until("b paused", () -> limitIs(b, 0) && b.drawA == 0);
        long before = b.txProfiles();
        Instant resumed = Instant.now();
        site.controller.setSessionMode("CP-B", 1, Mode.FAST).get();
        until("b resumed at its car's 32 A", () -> b.drawA == 32, Duration.ofSeconds(5));
        until("b got its profile again and follows it", () -> {
            site.gridReading();
            return b.txProfiles() >= before + 2 && b.drawA <= 20 && b.drawA >= 6;
        }, Duration.ofSeconds(8));
        assertThat(Duration.between(resumed, Instant.now())).as("well within the reaction time")
                .isLessThan(Duration.ofSeconds(15));
        Profile resent = b.lastTxProfile();
        assertThat(resent.limit()).isGreaterThanOrEqualTo(6).isLessThanOrEqualTo(20);
    }

    @Test
    void aGridMeterAboveItsLimitForLongerThanAFallTakesReducesTheOthers() throws Exception {
        // CP-B's car takes 20 s to follow a fall, the controller's reaction time is long (60 s): while b is
        // "following" its new limit it is counted at it, so only the grid meter shows that the site is over
        site(Map.of("reactionTimeSeconds", 60));
        SimCharger[] ab = twoSessions(0, 32);
        SimCharger a = ab[0];
        SimCharger b = ab[1];
        until("20 A each, reported", () -> {
            site.gridReading();
            return limitIs(a, 20) && limitIs(b, 20) && draws(a, 20) && draws(b, 20);
        }, Duration.ofSeconds(10));
        b.reaction = Duration.ofSeconds(20);
        // the building takes 6 A more on every phase: both fall to 17 A; a follows at once, b only after 20 s
        site.buildingA = 6;
        Instant rose = Instant.now();
        until("both reduced for the building", () -> {
            site.gridReading();
            a.meterValues();
            b.meterValues();
            return a.lastTxProfile().limit() < 20 && b.lastTxProfile().limit() < 20 && a.drawA < 20;
        }, Duration.ofSeconds(4));
        // the fall may come in two steps as the reports of the cars and the meter arrive (on a loaded machine):
        // the limit it settled at is the one the meter's correction must go below
        long settle = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        while (System.nanoTime() < settle) {
            site.gridReading();
            a.meterValues();
            b.meterValues();
            Thread.sleep(100);
        }
        double fellTo = a.lastTxProfile().limit();
        assertThat(site.gridMaxPhase()).as("b still draws its old 20 A").isGreaterThan(40.1);
        // the meter stays above 40 A: after SUSTAINED_OVER b is counted at what it draws (it still reports 20 A
        // every few seconds) and a, which follows, is reduced further, long before b follows
        until("a reduced again for the excess the meter shows", () -> {
            site.gridReading();
            a.meterValues();
            b.meterValues();
            return a.lastTxProfile().limit() < fellTo;
        }, Duration.ofSeconds(12));
        Duration took = Duration.between(rose, Instant.now());
        assertThat(took).as("a short excess is left to the falls already sent")
                .isGreaterThanOrEqualTo(BalancerController.SUSTAINED_OVER);
        assertThat(took).as("the correction comes before b follows").isLessThan(Duration.ofSeconds(20));
        assertThat(b.drawA).isEqualTo(20);
        until("the meter reads the limit again while b still draws 20 A", () -> {
            site.gridReading();
            a.meterValues();
            b.meterValues();
            return site.gridMaxPhase() <= 40.1;
        }, Duration.ofSeconds(4));
        assertThat(b.drawA).isEqualTo(20);
    }

    @Test
    void anOfflineChargerIsCountedAtItsLastLimit() throws Exception {
        site(Map.of());
        SimCharger[] ab = twoSessions(0, 32);
        SimCharger a = ab[0];
        SimCharger b = ab[1];
        until("20 A each", () -> limitIs(a, 20) && limitIs(b, 20) && draws(b, 20));
        site.chargers.remove(b);
        b.disconnect();
        until("b is offline", () -> row("CP-B/1") != null && row("CP-B/1").control().equals("offline"));
        // its car keeps charging at 20 A behind the grid meter
        site.buildingA = 10 + 20;
        site.gridReading();
        until("a gets what the building and b leave", () -> limitIs(a, 10));
        assertThat(row("CP-B/1").reason()).contains(String.format(java.util.Locale.ROOT,
                "charger offline: counted at its last limit %.1f A", b.lastTxProfile().limit()));
    }

    @Test
    void anOfflineChargerIsCountedAtItsSafeShareOnceItsTxProfileExpired() throws Exception {
        site(Map.of("profileValiditySeconds", 2));
        SimCharger[] ab = twoSessions(0, 32);
        SimCharger a = ab[0];
        SimCharger b = ab[1];
        until("20 A each", () -> limitIs(a, 20) && limitIs(b, 20) && draws(b, 20));
        Instant validTo = b.lastTxProfile().validTo();
        site.chargers.remove(b);
        b.disconnect();
        site.buildingA = 10 + 20;
        site.gridReading(Duration.ofSeconds(60));
        until("b is counted at its last limit", () -> row("CP-B/1") != null
                && row("CP-B/1").reason().contains("counted at its last limit 20.0 A"));
        // once its TxProfile ran out, the charger falls back to its TxDefaultProfile: 10 A
        until("b is counted at its safe share", () -> row("CP-B/1").reason().contains(
                "counted at its last limit 10.0 A"), Duration.ofSeconds(5));
        assertThat(Instant.now()).isAfter(validTo);
        // b now counts 10 A instead of 20 A (its last draw is capped at its fallback), so a gets 10 A more
        until("a gets what the building and b's safe share leave", () -> limitIs(a, 20));
    }

    /** CP-A and CP-B, 3-phase cars, both in a session; the grid meter shows the building's load. */
    private SimCharger[] twoSessions(double buildingA, double carMaxA, Quirk... quirksOfB) throws Exception {
        return twoSessions(buildingA, carMaxA, Duration.ZERO, quirksOfB);
    }

    /** The same, with CP-B's car following its profile after {@code reactionOfB}. */
    private SimCharger[] twoSessions(double buildingA, double carMaxA, Duration reactionOfB, Quirk... quirksOfB)
            throws Exception {
        site.buildingA = buildingA;
        site.gridReading();
        SimCharger a = site.charger("CP-A", 3, carMaxA, Duration.ZERO);
        SimCharger b = site.charger("CP-B", 3, carMaxA, reactionOfB, quirksOfB);
        a.start();
        b.start();
        return new SimCharger[] {a, b};
    }

    private BalanceStatus.ConnectorRow row(String ref) {
        BalanceStatus s = site.controller.status();
        return s == null ? null : s.connectors().stream().filter(r -> r.ref().equals(ref)).findFirst().orElse(null);
    }

    /** The charger draws {@code a}, has reported it, and the balancer has seen the report. */
    private boolean draws(SimCharger c, double a) {
        BalanceStatus.ConnectorRow r = row(c.id + "/1");
        return c.drawA == a && c.reportedA == a && r != null
                && r.draw().startsWith(String.format(java.util.Locale.ROOT, "%.1f/", a));
    }

    private static boolean limitIs(SimCharger c, double a) {
        Profile p = c.lastTxProfile();
        return p != null && p.answer().equals("Accepted") && p.limit() == a;
    }

    private static boolean limitAtMost(SimCharger c, double a, long sinceNanos) {
        Profile p = c.lastTxProfile();
        return p != null && p.nanos() >= sinceNanos && p.limit() <= a;
    }

    void until(String what, TestSite.Check condition, Duration timeout) throws Exception {
        site.until(what, condition, timeout);
    }

    void until(String what, TestSite.Check condition) throws Exception {
        until(what, condition, Duration.ofSeconds(5));
    }
}
