package org.chargeedge.mqtt.internal;

import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.chargeedge.api.management.Job;
import org.chargeedge.api.management.JobBundle;
import org.chargeedge.api.management.JobEvents;
import org.chargeedge.api.management.JobState;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Remote management's jobs on the broker, retained, from the management
 * service's EventAdmin events: {@code BASE/management/job} (the latest job's
 * state at every change) and {@code BASE/management/release} (the outcome of
 * the latest fleet release, once its job has ended).
 *
 * <p>Threads: EventAdmin's delivery thread builds and publishes; the last
 * documents are volatile fields, republished by the bus's timer thread after a
 * reconnect, so a message dropped while the broker was away still arrives.
 */
@Component(service = EventHandler.class, property = EventConstants.EVENT_TOPIC + "=" + JobEvents.TOPIC_ALL)
public class ManagementStatePublisher implements EventHandler {

    static final String JOB_TOPIC = "management/job";
    static final String RELEASE_TOPIC = "management/release";
    private static final Logger LOG = LoggerFactory.getLogger(ManagementStatePublisher.class);
    /** The origin the management service gives a release's job: "release CHANNEL #N". */
    private static final Pattern RELEASE_ORIGIN = Pattern.compile("release (\\S+) #(\\d+)");

    private final MqttBus bus;
    private final MqttBus.Handle reconnect;
    private volatile byte[] lastJob;
    private volatile byte[] lastRelease;

    @Activate
    public ManagementStatePublisher(@Reference MqttBus bus) {
        this.bus = bus;
        this.reconnect = bus.onConnected(this::republish);
    }

    @Deactivate
    void stop() {
        reconnect.close();
    }

    @Override
    public void handleEvent(Event event) {
        String id = (String) event.getProperty(JobEvents.JOB_ID);
        String state = (String) event.getProperty(JobEvents.STATE);
        String origin = (String) event.getProperty(JobEvents.ORIGIN);
        if (id == null || state == null) {
            return;
        }
        Object record = event.getProperty(JobEvents.JOB);
        Job job = record instanceof Job j ? j : null;
        try {
            lastJob = jobDocument(id, state, origin, (String) event.getProperty(JobEvents.STARTED_BY),
                    (String) event.getProperty(JobEvents.OUTCOME), job);
            publish(JOB_TOPIC, lastJob);
            Matcher release = RELEASE_ORIGIN.matcher(origin == null ? "" : origin);
            if (release.matches() && JobState.valueOf(state).isFinal()) {
                lastRelease = releaseDocument(release.group(1), Long.parseLong(release.group(2)), id, state,
                        (String) event.getProperty(JobEvents.OUTCOME), job);
                publish(RELEASE_TOPIC, lastRelease);
            }
        } catch (JsonProcessingException | IllegalArgumentException e) {
            LOG.warn("Job {} cannot be published: {}", id, e.toString());
        }
    }

    static byte[] jobDocument(String id, String state, String origin, String startedBy, String outcome, Job job)
            throws JsonProcessingException {
        ObjectNode doc = SiteDocuments.JSON.createObjectNode();
        doc.put("id", id);
        doc.put("state", state);
        doc.put("final", JobState.valueOf(state).isFinal());
        doc.put("origin", origin);
        doc.put("started_by", startedBy);
        doc.put("outcome", outcome);
        if (job != null) {
            doc.put("created", job.created().toString());
            doc.put("updated", job.updated().toString());
            ArrayNode bundles = doc.putArray("bundles");
            for (JobBundle b : job.bundles()) {
                bundles.addObject().put("symbolic_name", b.symbolicName()).put("from_version", b.fromVersion())
                        .put("to_version", b.toVersion());
            }
        }
        return SiteDocuments.JSON.writeValueAsBytes(doc);
    }

    static byte[] releaseDocument(String channel, long release, String jobId, String state, String outcome, Job job)
            throws JsonProcessingException {
        ObjectNode doc = SiteDocuments.JSON.createObjectNode();
        doc.put("channel", channel);
        doc.put("release", release);
        doc.put("applied", JobState.valueOf(state) == JobState.COMMITTED);
        doc.put("job", jobId);
        doc.put("state", state);
        doc.put("outcome", outcome);
        doc.put("at", (job != null ? job.updated() : Instant.now()).toString());
        return SiteDocuments.JSON.writeValueAsBytes(doc);
    }

    private void publish(String topic, byte[] payload) {
        // Dropped while disconnected: the reconnect hook sends the latest again.
        bus.publish(bus.baseTopic() + "/" + topic, payload, 1, true);
    }

    private void republish() {
        byte[] job = lastJob;
        byte[] release = lastRelease;
        if (job != null) {
            publish(JOB_TOPIC, job);
        }
        if (release != null) {
            publish(RELEASE_TOPIC, release);
        }
    }
}
