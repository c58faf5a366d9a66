package org.chargeedge.centralsystem.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The chargers accepted by an operator (from the shell, the HTTP API or the
 * commissioning window), with their own security profile and password hash,
 * in {@code DATA/centralsystem/chargers.json}. Written whole to a temporary
 * file, forced to disk and moved over the old one, so a crash leaves either
 * the old or the new list.
 *
 * <p>Threads: not thread-safe; {@link AccessControl} holds its lock around
 * every use.
 */
final class KnownChargers {

    /** One accepted charger; {@code profile} null means the site default, {@code keyHash} null no password. */
    record Entry(Integer profile, String keyHash, Instant acceptedAt) {
        Entry withProfile(Integer p) {
            return new Entry(p, keyHash, acceptedAt);
        }

        Entry withKeyHash(String h) {
            return new Entry(profile, h, acceptedAt);
        }
    }

    /** The file's form. */
    record File(List<Stored> chargers) {
    }

    record Stored(String id, Integer profile, String keyHash, String acceptedAt) {
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private final Path file;
    private final Map<String, Entry> entries = new TreeMap<>();

    KnownChargers(Path file) {
        this.file = file;
        if (Files.exists(file)) {
            try {
                File stored = JSON.readValue(file.toFile(), File.class);
                if (stored.chargers() != null) {
                    for (Stored s : stored.chargers()) {
                        entries.put(s.id(), new Entry(s.profile(), s.keyHash(),
                                s.acceptedAt() == null ? null : Instant.parse(s.acceptedAt())));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the accepted chargers from " + file
                        + "; fix or remove the file: " + e.getMessage(), e);
            }
        }
    }

    Entry get(String id) {
        return entries.get(id);
    }

    Map<String, Entry> all() {
        return Map.copyOf(entries);
    }

    void put(String id, Entry entry) {
        entries.put(id, entry);
        save();
    }

    boolean remove(String id) {
        boolean removed = entries.remove(id) != null;
        if (removed) {
            save();
        }
        return removed;
    }

    private void save() {
        List<Stored> list = new ArrayList<>();
        entries.forEach((id, e) -> list.add(new Stored(id, e.profile(), e.keyHash(),
                e.acceptedAt() == null ? null : e.acceptedAt().toString())));
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, JSON.writeValueAsBytes(new File(list)));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the accepted chargers to " + file + ": " + e.getMessage(),
                    e);
        }
    }
}
