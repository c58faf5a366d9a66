package org.chargeedge.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import org.chargeedge.api.charger.ChargerEvents;
import org.chargeedge.api.energy.SiteEnergy;
import org.chargeedge.api.management.JobEvents;
import org.junit.jupiter.api.Test;
import org.osgi.service.event.Event;

/** The event log's bounds (count and age), its filters and the words of remote management's jobs. */
class EventLogTest {

    private final OcppServerCheckTest.TestClock clock = new OcppServerCheckTest.TestClock();

    private static Event charger(String topic, String id) {
        return new Event(topic, Map.of(ChargerEvents.CHARGE_POINT_ID, id));
    }

    private static Event job(String state, String outcome) {
        return new Event(JobEvents.TOPIC_PREFIX + state, Map.of(JobEvents.JOB_ID, "J-7", JobEvents.STATE, state,
                JobEvents.ORIGIN, "release stable #3", JobEvents.OUTCOME, outcome));
    }

    @Test
    void theNewestEventsAreKeptUpToTheCount() {
        EventLog log = new EventLog(3, Duration.ofHours(6), clock);
        for (int i = 1; i <= 5; i++) {
            assertThat(log.add(charger(ChargerEvents.CONNECTED, "CP-" + i))).isTrue();
        }
        assertThat(log.size()).isEqualTo(3);
        assertThat(log.entries(null, null, 10)).extracting(EventLog.Entry::chargePointId)
                .containsExactly("CP-5", "CP-4", "CP-3");
        assertThat(log.entries(null, null, 10)).extracting(EventLog.Entry::sequence).containsExactly(5L, 4L, 3L);
        assertThat(log.entries(null, null, 2)).hasSize(2);
        assertThat(log.entries(null, "CP-4", 10)).extracting(EventLog.Entry::text).containsExactly("Connected");
        assertThat(log.entries(null, "CP-1", 10)).isEmpty();
        // a smaller limit configured later applies at once
        log.limit(1, Duration.ofHours(6));
        assertThat(log.entries(null, null, 10)).extracting(EventLog.Entry::chargePointId).containsExactly("CP-5");
    }

    @Test
    void eventsOlderThanTheAgeAreDroppedAndSinceSelectsTheRecentOnes() {
        EventLog log = new EventLog(100, Duration.ofHours(1), clock);
        log.add(charger(ChargerEvents.DISCONNECTED, "CP-1"));
        clock.now = clock.now.plus(Duration.ofMinutes(40));
        log.add(charger(ChargerEvents.CONNECTED, "CP-1"));
        assertThat(log.entries(clock.now.minusSeconds(60), null, 10)).extracting(EventLog.Entry::kind)
                .containsExactly("CONNECTED");
        assertThat(log.entries(null, null, 10)).hasSize(2);
        assertThat(log.entries(null, null, 10).get(1).severity()).isEqualTo(EventLog.Severity.warning);
        clock.now = clock.now.plus(Duration.ofMinutes(30)); // the first is now 70 minutes old
        assertThat(log.entries(null, null, 10)).extracting(EventLog.Entry::kind).containsExactly("CONNECTED");
        clock.now = clock.now.plus(Duration.ofHours(1));
        assertThat(log.entries(null, null, 10)).isEmpty();
        assertThat(log.size()).isZero();
    }

    @Test
    void meterValuesMeasurementsAndEventsWithoutAChargerAreNotLogged() {
        EventLog log = new EventLog(100, Duration.ofHours(1), clock);
        assertThat(log.add(charger(ChargerEvents.METER_VALUES, "CP-1"))).isFalse();
        assertThat(log.add(new Event(SiteEnergy.TOPIC_MEASUREMENT, Map.of()))).isFalse();
        assertThat(log.add(new Event(ChargerEvents.CONNECTED, Map.of()))).isFalse();
        // a status event whose charger snapshot is missing says nothing reliable
        assertThat(log.add(charger(ChargerEvents.STATUS_CHANGED, "CP-1"))).isFalse();
        assertThat(log.size()).isZero();
    }

    @Test
    void remoteManagementJobsAreTold() {
        EventLog log = new EventLog(100, Duration.ofHours(1), clock);
        log.add(job("STAGING", ""));
        log.add(job("FAILED", "the download's SHA-256 does not match"));
        log.add(job("ROLLBACK_FAILED", "bundle org.chargeedge.store did not start"));
        var entries = log.entries(null, null, 10);
        assertThat(entries).extracting(EventLog.Entry::chargePointId).containsOnlyNulls();
        assertThat(entries.get(2).text()).isEqualTo("Update job J-7 (release stable #3): downloading and checking"
                + " the bundles; nothing changed yet");
        assertThat(entries.get(1).text()).isEqualTo("Update job J-7 (release stable #3): failed before anything"
                + " changed: the download's SHA-256 does not match");
        assertThat(entries.get(1).severity()).isEqualTo(EventLog.Severity.warning);
        assertThat(entries.get(0).severity()).isEqualTo(EventLog.Severity.problem);
        assertThat(entries.get(0).text()).contains("an operator must look at it");
    }

    @Test
    void limitsThatHoldNothingAreRefused() {
        assertThatThrownBy(() -> new EventLog(0, Duration.ofHours(1), clock))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EventLog(10, Duration.ZERO, clock)).isInstanceOf(IllegalArgumentException.class);
    }
}
