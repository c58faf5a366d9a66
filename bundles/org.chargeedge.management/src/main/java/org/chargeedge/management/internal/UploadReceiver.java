package org.chargeedge.management.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;

/**
 * Receives an uploaded jar into a file next to the jobs' directories, so the
 * job that takes it moves it instead of copying: the heap holds one buffer,
 * not the bundle. The size limit is enforced and the SHA-256 computed while
 * the bytes arrive; a file that is not handed to a job is deleted by the
 * caller, and one left by a crash is deleted at the next start.
 *
 * <p>Threads: any request thread; each upload has its own file, named by
 * {@link Files#createTempFile}.
 */
final class UploadReceiver {

    /** An upload on disk, with its size and the SHA-256 of its bytes in lower-case hex. */
    record Received(Path file, long size, String sha256) {
    }

    /** The upload exceeds the limit; nothing of it is kept. */
    static final class TooLarge extends Exception {
        private static final long serialVersionUID = 1L;
    }

    /** Files older than this in the directory are leftovers of a crash; no upload takes that long. */
    private static final Duration LEFTOVER = Duration.ofHours(1);

    private final Path dir;
    private final long maxBytes;

    UploadReceiver(Path dir, long maxBytes) {
        this.dir = dir;
        this.maxBytes = maxBytes;
    }

    /** The directory of uploads under the jobs' directory (see {@link JobStore}). */
    static Path directory(Path jobsDir) {
        return jobsDir.resolve("uploads");
    }

    /**
     * Copies {@code in} into a new file, at most {@code maxBytes}.
     *
     * @throws TooLarge as soon as one byte more than the limit arrived (the partial file is deleted)
     */
    Received receive(InputStream in) throws IOException, TooLarge {
        Files.createDirectories(dir);
        Path file = Files.createTempFile(dir, "upload-", ".jar");
        boolean kept = false;
        try {
            String sha;
            try (OutputStream out = Files.newOutputStream(file)) {
                sha = BundleJars.copyHashed(in, out, maxBytes, () -> { });
            }
            if (sha == null) {
                throw new TooLarge();
            }
            kept = true;
            return new Received(file, Files.size(file), sha);
        } finally {
            if (!kept) {
                Files.deleteIfExists(file);
            }
        }
    }

    /** Deletes what a crash left in the directory. */
    void deleteLeftovers(Instant now) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                if (Files.getLastModifiedTime(f).toInstant().isBefore(now.minus(LEFTOVER))) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }
}
