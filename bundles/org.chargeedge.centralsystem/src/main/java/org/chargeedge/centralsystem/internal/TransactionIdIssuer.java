package org.chargeedge.centralsystem.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Issues transaction ids that are unique and never reused, across restarts
 * and crashes too. Ids are reserved on disk in blocks: the file holds the
 * first id not yet reserved, written and synced before any id of a block is
 * given out, so a crash loses at most the rest of a block, never reuses one.
 */
final class TransactionIdIssuer {

    private final Path file;
    private final int blockSize;

    // Guarded by this: next() is called from the dispatch of many chargers.
    private int next;
    private int reservedUpTo;

    TransactionIdIssuer(Path file, int blockSize) {
        this.file = file;
        this.blockSize = blockSize;
        int stored = read(file);
        this.next = stored;
        this.reservedUpTo = stored;
    }

    synchronized int next() {
        if (next >= reservedUpTo) {
            if (Integer.MAX_VALUE - next < blockSize) {
                throw new IllegalStateException("transaction ids exhausted");
            }
            write(next + blockSize);
            reservedUpTo = next + blockSize;
        }
        return next++;
    }

    /**
     * Makes sure no id up to {@code used} is issued again: ids the store has
     * seen are never reused, even if this reservation file was lost.
     */
    synchronized void advancePast(int used) {
        if (used >= next) {
            next = used + 1;
            reservedUpTo = next;
        }
    }

    private static int read(Path file) {
        try {
            if (!Files.exists(file)) {
                return 1;
            }
            return Integer.parseInt(Files.readString(file, StandardCharsets.US_ASCII).trim());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (NumberFormatException e) {
            throw new IllegalStateException(file + " is corrupt: " + e.getMessage(), e);
        }
    }

    private void write(int firstUnreserved) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(ByteBuffer.wrap((firstUnreserved + "\n").getBytes(StandardCharsets.US_ASCII)));
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
                dir.force(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reserve transaction ids in " + file, e);
        }
    }
}
