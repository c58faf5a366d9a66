package org.chargeedge.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * What some files look like now, without reading them: for each, whether it exists, its size, its
 * modification time and its identity (the inode where the file system has one), following
 * symbolic links. Two stamps of the same files are equal when none of that changed, so a caller
 * that keeps the stamp of the files it loaded notices cheaply (one {@code stat} per file) that a
 * certificate was renewed, also when a tool replaces the file or moves a link to a new one
 * ({@code certbot}'s {@code live/} directory).
 *
 * <p>To reload: take the stamp <em>before</em> reading the files, so that a change during the
 * reading shows at the next check. A renewal writes the certificate and the key one after the
 * other; loading between the two fails ({@link TlsFileException.Reason#KEY_MISMATCH}): keep the old
 * material, and load again at the next check. Size and time do not prove the content unchanged
 * (a rewrite with the same size within the file system's time resolution goes unnoticed); for
 * certificate files written by tools that is not a practical concern.
 *
 * <p>Immutable; {@link #equals} compares the files and their states.
 */
public final class FileStamp {

    /** One file: absent (exists false), or its size, time and identity; or why it could not be looked at. */
    private record State(boolean exists, long size, FileTime modified, Object key, String error) {
        @Override
        public String toString() {
            if (error != null) {
                return "unreadable: " + error;
            }
            return exists ? size + " bytes, modified " + modified : "absent";
        }
    }

    private final List<Path> files;
    private final List<State> states;

    private FileStamp(List<Path> files, List<State> states) {
        this.files = files;
        this.states = states;
    }

    /** The stamp of {@code files} now. */
    public static FileStamp of(Path... files) {
        return of(Arrays.asList(files));
    }

    /** The stamp of {@code files} now. */
    public static FileStamp of(Collection<Path> files) {
        List<Path> paths = List.copyOf(files);
        List<State> states = new ArrayList<>(paths.size());
        for (Path p : paths) {
            states.add(state(p));
        }
        return new FileStamp(paths, List.copyOf(states));
    }

    private static State state(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new State(true, a.size(), a.lastModifiedTime(), a.fileKey(), null);
        } catch (NoSuchFileException e) {
            return new State(false, -1, null, null, null);
        } catch (IOException | SecurityException e) {
            return new State(false, -1, null, null, e.getClass().getSimpleName());
        }
    }

    /** The files, in the order given. */
    public List<Path> files() {
        return files;
    }

    /** Whether the files look different now: {@code !equals(FileStamp.of(files()))}. */
    public boolean changed() {
        return !equals(of(files));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FileStamp other && files.equals(other.files) && states.equals(other.states);
    }

    @Override
    public int hashCode() {
        return Objects.hash(files, states);
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            parts.add(files.get(i) + " (" + states.get(i) + ")");
        }
        return "FileStamp" + parts;
    }
}
