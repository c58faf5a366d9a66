package org.chargeedge.management.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The jobs on disk: {@code DIR/ID.json} per job, written atomically, and
 * {@code DIR/ID/} for its staged and backed-up jars while it runs. Ids are
 * increasing integers. Only the job thread writes; any thread reads.
 */
final class JobStore {

    /** Job records kept; older ones (and what is left of their directories) are deleted. */
    static final int KEEP_JOBS = 100;

    private final Path dir;
    private final ObjectMapper json = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    JobStore(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
    }

    Path dir() {
        return dir;
    }

    /** The directory of a job's jars, created when missing. */
    Path workDir(String id) throws IOException {
        return Files.createDirectories(dir.resolve(id));
    }

    void write(JobFile job) throws IOException {
        AtomicFiles.write(dir.resolve(job.id() + ".json"), json.writerWithDefaultPrettyPrinter().writeValueAsBytes(job));
    }

    Optional<JobFile> read(String id) {
        if (!id.chars().allMatch(Character::isDigit) || id.isEmpty()) {
            return Optional.empty();
        }
        Path file = dir.resolve(id + ".json");
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(json.readValue(file.toFile(), JobFile.class));
        } catch (IOException e) {
            throw new IllegalStateException("job file " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** Every job, newest first. */
    List<JobFile> all() throws IOException {
        List<JobFile> jobs = new ArrayList<>();
        for (long id : ids()) {
            read(Long.toString(id)).ifPresent(jobs::add);
        }
        jobs.sort(Comparator.comparingLong((JobFile j) -> Long.parseLong(j.id())).reversed());
        return jobs;
    }

    long nextId() throws IOException {
        return ids().stream().mapToLong(Long::longValue).max().orElse(0) + 1;
    }

    private List<Long> ids() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d{1,18}\\.json"))
                    .map(n -> Long.parseLong(n.substring(0, n.length() - 5))).toList();
        }
    }

    /** Deletes the jars of a finished job, and the records beyond {@link #KEEP_JOBS}. */
    void cleanUp(String finishedId) throws IOException {
        deleteTree(dir.resolve(finishedId));
        List<Long> ids = new ArrayList<>(ids());
        ids.sort(Comparator.reverseOrder());
        for (long old : ids.subList(Math.min(KEEP_JOBS, ids.size()), ids.size())) {
            Files.deleteIfExists(dir.resolve(old + ".json"));
            deleteTree(dir.resolve(Long.toString(old)));
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
