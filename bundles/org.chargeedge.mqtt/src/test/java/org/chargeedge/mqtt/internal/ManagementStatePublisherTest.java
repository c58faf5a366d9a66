package org.chargeedge.mqtt.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.chargeedge.api.management.Job;
import org.chargeedge.api.management.JobBundle;
import org.chargeedge.api.management.JobEvents;
import org.chargeedge.api.management.JobState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.service.event.Event;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Jobs and release outcomes on a real broker (Moquette in the test JVM), from
 * events shaped as the management service posts them.
 */
class ManagementStatePublisherTest {

    private EmbeddedBroker broker;
    private BrokerConnection connection;
    private ManagementStatePublisher publisher;

    @BeforeEach
    void start() throws Exception {
        broker = new EmbeddedBroker();
        connection = new BrokerConnection(PresetsOverBrokerTest.settings(broker, "depot"));
        publisher = new ManagementStatePublisher(connection);
    }

    @AfterEach
    void stop() {
        publisher.stop();
        connection.stop();
        broker.close();
    }

    private static Event event(String id, JobState state, String origin, String outcome) {
        return event(id, state, origin, null, outcome);
    }

    private static Event event(String id, JobState state, String origin, String startedBy, String outcome) {
        Instant created = Instant.parse("2026-12-06T01:00:00Z");
        Job job = new Job(id, origin, startedBy, state, created, created.plusSeconds(7), List.of(new JobBundle(
                "org.chargeedge.energy", "1.0.0", "1.1.0", "ab".repeat(32), "upload (100 bytes)")), outcome, List.of());
        Map<String, Object> p = new HashMap<>();
        p.put(JobEvents.JOB_ID, id);
        p.put(JobEvents.STATE, state.name());
        p.put(JobEvents.ORIGIN, origin);
        if (startedBy != null) {
            p.put(JobEvents.STARTED_BY, startedBy);
        }
        p.put(JobEvents.OUTCOME, outcome);
        p.put(JobEvents.JOB, job);
        return new Event(JobEvents.TOPIC_PREFIX + state.name(), p);
    }

    private static JsonNode json(TestClient.Received r) throws Exception {
        assertThat(r).isNotNull();
        return SiteDocuments.JSON.readTree(r.payload());
    }

    private void awaitConnected() throws Exception {
        Await.until("connected", java.time.Duration.ofSeconds(5), connection::connected);
    }

    @Test
    void everyStateOfAJobIsPublishedRetained() throws Exception {
        awaitConnected();
        try (TestClient dash = new TestClient(broker).subscribe("depot/management/#", 1)) {
            publisher.handleEvent(event("7", JobState.STAGING, "http (operator from 10.0.0.9)", "anna", "staging"));
            JsonNode staging = json(dash.next("depot/management/job", 5000));
            assertThat(staging.get("id").asText()).isEqualTo("7");
            assertThat(staging.get("started_by").asText()).isEqualTo("anna");
            assertThat(staging.get("state").asText()).isEqualTo("STAGING");
            assertThat(staging.get("final").asBoolean()).isFalse();
            publisher.handleEvent(event("7", JobState.COMMITTED, "http (operator from 10.0.0.9)",
                    "healthy 3 s after applying org.chargeedge.energy 1.0.0 -> 1.1.0"));
            TestClient.Received committed = dash.next("depot/management/job", 5000);
            assertThat(committed.qos()).isEqualTo(1);
            JsonNode doc = json(committed);
            assertThat(doc.get("state").asText()).isEqualTo("COMMITTED");
            assertThat(doc.get("final").asBoolean()).isTrue();
            assertThat(doc.get("outcome").asText()).startsWith("healthy 3 s");
            assertThat(doc.get("updated").asText()).isEqualTo("2026-12-06T01:00:07Z");
            assertThat(doc.get("bundles").get(0).get("to_version").asText()).isEqualTo("1.1.0");
            assertThat(doc.get("started_by").isNull()).as("a job kept from before it was recorded").isTrue();
            assertThat(dash.next("depot/management/release", 300)).as("not a release").isNull();
        }
        try (TestClient late = new TestClient(broker).subscribe("depot/management/job", 1)) {
            TestClient.Received r = late.next("depot/management/job", 5000);
            // arriving at a late subscriber is what retained means (Moquette does not flag the copy it sends)
            assertThat(json(r).get("state").asText()).isEqualTo("COMMITTED");
        }
    }

    @Test
    void aReleaseOutcomeIsPublishedWhenItsJobEnds() throws Exception {
        awaitConnected();
        try (TestClient fleet = new TestClient(broker).subscribe("depot/management/release", 1)) {
            publisher.handleEvent(event("8", JobState.AWAITING_HEALTH, "release pilot #42", "applied; waiting"));
            assertThat(fleet.next("depot/management/release", 300)).as("not ended yet").isNull();
            publisher.handleEvent(event("8", JobState.ROLLED_BACK, "release pilot #42",
                    "not healthy within 120 s: Store: DOWN; the previous bundles and configuration are back"));
            JsonNode release = json(fleet.next("depot/management/release", 5000));
            assertThat(release.get("channel").asText()).isEqualTo("pilot");
            assertThat(release.get("release").asLong()).isEqualTo(42);
            assertThat(release.get("applied").asBoolean()).isFalse();
            assertThat(release.get("job").asText()).isEqualTo("8");
            assertThat(release.get("state").asText()).isEqualTo("ROLLED_BACK");
            assertThat(release.get("outcome").asText()).contains("Store: DOWN");
        }
    }

    @Test
    void whatHappenedWhileTheBrokerWasAwayArrivesAfterTheReconnect() throws Exception {
        awaitConnected();
        broker.stop();
        Await.until("disconnected", java.time.Duration.ofSeconds(5), () -> !connection.connected());
        publisher.handleEvent(event("9", JobState.COMMITTED, "release stable #43", "healthy 2 s after applying"));
        broker.start();
        awaitConnected();
        try (TestClient fleet = new TestClient(broker).subscribe("depot/management/#", 1)) {
            assertThat(json(fleet.next("depot/management/release", 5000)).get("applied").asBoolean()).isTrue();
        }
        try (TestClient dash = new TestClient(broker).subscribe("depot/management/job", 1)) {
            assertThat(json(dash.next("depot/management/job", 5000)).get("id").asText()).isEqualTo("9");
        }
    }
}
