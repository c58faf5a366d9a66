package org.chargeedge.management.internal;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import org.chargeedge.api.management.BundleSource;
import org.chargeedge.api.management.Job;
import org.chargeedge.api.management.JobState;
import org.chargeedge.api.management.ManagementException;
import org.chargeedge.api.management.ReleaseChannelStatus;
import org.chargeedge.api.management.UpdateRequest;
import org.osgi.framework.Version;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Follows a fleet release channel: reads the signed descriptor, checks it
 * (signature with the trusted key, channel name, release number against the
 * one applied: never an older one, which would be a replayed, possibly
 * vulnerable release; no downgrade unless the descriptor allows it) and
 * applies a newer release as an ordinary job. What was applied is kept in
 * {@code DATA/management/channel.json} (written atomically).
 *
 * <p>Threads: polls come from the channel's timer thread and from operators
 * ({@link #poll()}); the monitor serialises them and guards {@code state}.
 */
final class ReleaseChannel {

    private static final Logger LOG = LoggerFactory.getLogger(ReleaseChannel.class);

    /** Submits a job; the management service's own submit. */
    interface Submitter {
        Job submit(UpdateRequest request) throws ManagementException;
    }

    /**
     * What the gateway keeps about its channel.
     *
     * @param appliedRelease the highest release applied (0: none)
     * @param failedRelease a release whose job failed: not tried again, a newer one is awaited
     * @param pendingRelease the release whose job runs (0: none)
     */
    record State(long appliedRelease, long failedRelease, long pendingRelease, String lastJobId, String lastPoll,
            String lastOutcome) {
    }

    private final URI url;
    private final String channel;
    private final Path keyFile;
    private final Downloader downloader;
    private final Path stateFile;
    private final Function<String, Version> installedVersion;
    private final Submitter submitter;
    private final Function<String, Optional<Job>> jobs;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private State state;

    ReleaseChannel(URI url, String channel, Path keyFile, Downloader downloader, Path stateFile,
            Function<String, Version> installedVersion, Submitter submitter, Function<String, Optional<Job>> jobs,
            Clock clock) throws IOException {
        this.url = url;
        this.channel = channel;
        this.keyFile = keyFile;
        this.downloader = downloader;
        this.stateFile = stateFile;
        this.installedVersion = installedVersion;
        this.submitter = submitter;
        this.jobs = jobs;
        this.clock = clock;
        this.state = Files.isRegularFile(stateFile) ? json.readValue(stateFile.toFile(), State.class)
                : new State(0, 0, 0, null, null, "not polled yet");
    }

    synchronized ReleaseChannelStatus status() {
        settle();
        return toStatus();
    }

    /** Reads the channel and applies a newer release; returns what it found or did. */
    synchronized ReleaseChannelStatus poll() {
        settle();
        String outcome = check();
        state = new State(state.appliedRelease(), state.failedRelease(), state.pendingRelease(), state.lastJobId(),
                clock.instant().toString(), outcome);
        save();
        return toStatus();
    }

    private String check() {
        if (state.pendingRelease() > 0) {
            return "release " + state.pendingRelease() + " is being applied (job " + state.lastJobId() + ")";
        }
        ReleaseDescriptor d;
        try {
            ECPublicKey key = ReleaseSignature.readPublicKey(keyFile);
            Path scratch = Files.createTempFile(stateFile.getParent(), "descriptor", ".jws");
            String compact = new String(downloader.fetch(url, scratch), StandardCharsets.US_ASCII);
            d = ReleaseSignature.verify(compact, key);
        } catch (IOException e) {
            return warn("release channel " + url + " refused or unreachable: " + e.getMessage());
        }
        if (!channel.equals(d.channel())) {
            return warn("refused release " + d.release() + ": it is for channel '" + d.channel()
                    + "', this gateway follows '" + channel + "'");
        }
        if (d.release() < state.appliedRelease()) {
            return warn("refused release " + d.release() + ": older than the applied release "
                    + state.appliedRelease() + " (a replayed descriptor is never applied)");
        }
        if (d.release() == state.appliedRelease()) {
            return "up to date at release " + d.release();
        }
        if (d.release() == state.failedRelease()) {
            return "release " + d.release() + " failed (job " + state.lastJobId()
                    + "); waiting for a newer release";
        }
        List<BundleSource> sources = new ArrayList<>();
        for (ReleaseDescriptor.Entry e : d.bundles()) {
            Version wanted = Version.parseVersion(e.version());
            Version have = installedVersion.apply(e.symbolicName());
            if (have != null && wanted.equals(have)) {
                continue;
            }
            if (have != null && wanted.compareTo(have) < 0 && !d.allowDowngrade()) {
                return warn("refused release " + d.release() + ": it would downgrade " + e.symbolicName() + " from "
                        + have + " to " + wanted + " and does not say it may");
            }
            sources.add(BundleSource.download(url.resolve(e.url()), e.sha256()));
        }
        if (sources.isEmpty()) {
            state = new State(d.release(), state.failedRelease(), 0, state.lastJobId(), null, null);
            return "release " + d.release() + ": every bundle was already installed";
        }
        Job job;
        try {
            String release = "release " + channel + " #" + d.release();
            job = submitter.submit(new UpdateRequest(sources, d.allowDowngrade(), release, release));
        } catch (ManagementException e) {
            return warn("release " + d.release() + " not started: " + e.getMessage());
        }
        state = new State(state.appliedRelease(), state.failedRelease(), d.release(), job.id(), null, null);
        LOG.info("Applying release {} of channel {} as job {}", d.release(), channel, job.id());
        return "applying release " + d.release() + " as job " + job.id();
    }

    /** Takes the outcome of a release's job once it has ended. */
    private void settle() {
        if (state.pendingRelease() == 0) {
            return;
        }
        Optional<Job> job = jobs.apply(state.lastJobId());
        if (job.isPresent() && !job.get().state().isFinal()) {
            return;
        }
        long release = state.pendingRelease();
        boolean ok = job.isPresent() && job.get().state() == JobState.COMMITTED;
        String outcome = "release " + release + (ok ? " applied" : " failed") + " (job " + state.lastJobId() + ": "
                + job.map(j -> j.state() + ", " + j.outcome()).orElse("record lost") + ")";
        if (ok) {
            LOG.info("Release channel {}: {}", channel, outcome);
        } else {
            LOG.warn("Release channel {}: {}", channel, outcome);
        }
        state = new State(ok ? release : state.appliedRelease(), ok ? state.failedRelease() : release, 0,
                state.lastJobId(), state.lastPoll(), outcome);
        save();
    }

    private String warn(String outcome) {
        LOG.warn("Release channel {}: {}", channel, outcome);
        return outcome;
    }

    private void save() {
        try {
            AtomicFiles.write(stateFile, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(state));
        } catch (IOException e) {
            LOG.error("The release channel's state cannot be written to {}: {}", stateFile, e.toString());
        }
    }

    private ReleaseChannelStatus toStatus() {
        return new ReleaseChannelStatus(url.toString(), channel, state.appliedRelease(),
                state.lastPoll() == null ? null : Instant.parse(state.lastPoll()), state.lastOutcome(),
                state.lastJobId());
    }
}
