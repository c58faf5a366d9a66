package org.chargeedge.management.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;

/**
 * The distribution's bundles an uninstall job removed, one symbolic name a
 * line in {@code DATA/management/removed-bundles}: the launcher installs
 * every bundle of the distribution that is missing at start, except these.
 * A name is written before the bundle is uninstalled and taken out again when
 * the job rolls back, so a gateway that dies in between keeps it away until
 * the resumed job decides. Only the job thread writes.
 */
final class RemovedBundles {

    /** The file's name in {@code DATA/management/}; the launcher reads the same file. */
    static final String FILE = "removed-bundles";

    private final Path file;

    RemovedBundles(Path file) {
        this.file = file;
    }

    TreeSet<String> read() throws IOException {
        TreeSet<String> names = new TreeSet<>();
        if (Files.isRegularFile(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String name = line.trim();
                if (!name.isEmpty() && !name.startsWith("#")) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    void add(String symbolicName) throws IOException {
        TreeSet<String> names = read();
        if (names.add(symbolicName)) {
            write(names);
        }
    }

    void remove(String symbolicName) throws IOException {
        TreeSet<String> names = read();
        if (names.remove(symbolicName)) {
            write(names);
        }
    }

    private void write(TreeSet<String> names) throws IOException {
        StringBuilder text = new StringBuilder("# Bundles of the distribution uninstalled by a management job; the"
                + " launcher does not install them again.\n");
        for (String n : List.copyOf(names)) {
            text.append(n).append('\n');
        }
        AtomicFiles.write(file, text.toString().getBytes(StandardCharsets.UTF_8));
    }
}
