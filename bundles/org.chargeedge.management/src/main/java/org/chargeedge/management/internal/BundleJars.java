package org.chargeedge.management.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.Version;

/** Reading staged jars and keeping a copy of an installed bundle to roll back to. */
final class BundleJars {

    /** What a jar's manifest says about the bundle in it. */
    record Identity(String symbolicName, Version version, boolean fragment) {
    }

    private BundleJars() {
    }

    /**
     * The bundle a jar holds, from its manifest.
     *
     * @throws IOException when it is no jar, or its manifest names no bundle
     */
    static Identity identify(Path jar) throws IOException {
        Manifest manifest;
        try (JarFile jf = new JarFile(jar.toFile())) {
            manifest = jf.getManifest();
        } catch (IOException e) {
            throw new IOException("not a jar file (" + e.getMessage() + ")", e);
        }
        if (manifest == null) {
            throw new IOException("the jar has no manifest, so it is no bundle");
        }
        Attributes a = manifest.getMainAttributes();
        String bsn = a.getValue(Constants.BUNDLE_SYMBOLICNAME);
        if (bsn == null || bsn.isBlank()) {
            throw new IOException("the jar's manifest has no Bundle-SymbolicName, so it is no bundle");
        }
        Version version;
        try {
            version = Version.parseVersion(a.getValue(Constants.BUNDLE_VERSION));
        } catch (IllegalArgumentException e) {
            throw new IOException("the jar's Bundle-Version is malformed: " + e.getMessage(), e);
        }
        return new Identity(bsn.split(";")[0].trim(), version, a.getValue(Constants.FRAGMENT_HOST) != null);
    }

    /**
     * Writes the installed revision of a bundle as a jar: its manifest first,
     * then every entry of the bundle itself (fragments' entries excluded). The
     * framework keeps no original file a portable API can reach, and a bundle
     * installed at run time has none elsewhere either.
     */
    static void copyInstalled(Bundle bundle, Path target) throws IOException {
        URL manifestUrl = bundle.getEntry(JarFile.MANIFEST_NAME);
        if (manifestUrl == null) {
            throw new IOException(bundle.getSymbolicName() + " has no manifest entry to copy");
        }
        Manifest manifest;
        try (InputStream in = manifestUrl.openStream()) {
            manifest = new Manifest(in);
        }
        try (OutputStream file = Files.newOutputStream(target); JarOutputStream out = new JarOutputStream(file, manifest)) {
            Deque<String> dirs = new ArrayDeque<>();
            dirs.add("/");
            while (!dirs.isEmpty()) {
                Enumeration<String> paths = bundle.getEntryPaths(dirs.poll());
                while (paths != null && paths.hasMoreElements()) {
                    String path = paths.nextElement();
                    if (path.endsWith("/")) {
                        dirs.add(path);
                        out.putNextEntry(new JarEntry(path));
                        out.closeEntry();
                    } else if (!path.equalsIgnoreCase(JarFile.MANIFEST_NAME)) {
                        URL url = bundle.getEntry(path);
                        out.putNextEntry(new JarEntry(path));
                        try (InputStream in = url.openStream()) {
                            in.transferTo(out);
                        }
                        out.closeEntry();
                    }
                }
            }
        }
        AtomicFiles.sync(target);
    }

    /** Lower-case hex SHA-256 of a file. */
    static String sha256(Path file) throws IOException {
        MessageDigest digest = newSha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** A check made between chunks of a copy (a deadline, say); it ends the copy by throwing. */
    interface ChunkCheck {
        void check() throws IOException;
    }

    /**
     * Copies at most {@code maxBytes} from {@code in} to {@code out}, computing the SHA-256 on the way,
     * with {@code check} before each chunk is written.
     *
     * @return the lower-case hex SHA-256, or null when more than {@code maxBytes} came (the copy stops at
     *         the chunk that crossed the limit)
     */
    static String copyHashed(InputStream in, OutputStream out, long maxBytes, ChunkCheck check) throws IOException {
        MessageDigest digest = newSha256();
        long count = 0;
        byte[] buf = new byte[16384];
        for (int n; (n = in.read(buf)) >= 0;) {
            count += n;
            if (count > maxBytes) {
                return null;
            }
            check.check();
            digest.update(buf, 0, n);
            out.write(buf, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** Whether a string is a SHA-256 in hex (64 digits, either case). */
    static boolean isSha256(String s) {
        return s != null && s.length() == 64 && s.chars().allMatch(c -> Character.digit(c, 16) >= 0);
    }
}
