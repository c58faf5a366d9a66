package org.chargeedge.api.management;

import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * Where a job gets one bundle from: an {@code http}/{@code https} URL the
 * gateway downloads, the bytes of an upload, or an upload already received
 * into a file on the gateway; in each case with the SHA-256 the operator
 * expects (64 hex digits), checked before anything is staged.
 *
 * @param url the download URL, or null
 * @param content the uploaded jar, or null
 * @param sha256 the expected SHA-256 of the jar, lower or upper case hex
 * @param file an uploaded jar on this gateway's disk, which the job moves into
 *        its own directory (the file is gone afterwards), or null; since 1.2
 */
public record BundleSource(URI url, byte[] content, String sha256, Path file) {

    public BundleSource {
        int given = (url == null ? 0 : 1) + (content == null ? 0 : 1) + (file == null ? 0 : 1);
        if (given != 1) {
            throw new IllegalArgumentException("give one of a URL, uploaded content or an uploaded file");
        }
        Objects.requireNonNull(sha256, "sha256");
    }

    /** A URL or uploaded content, as 1.1 made them. */
    public BundleSource(URI url, byte[] content, String sha256) {
        this(url, content, sha256, null);
    }

    public static BundleSource download(URI url, String sha256) {
        return new BundleSource(url, null, sha256, null);
    }

    public static BundleSource upload(byte[] content, String sha256) {
        return new BundleSource(null, content.clone(), sha256, null);
    }

    /**
     * An upload received into {@code file} (for example streamed to disk by an
     * HTTP resource); the job takes the file over.
     *
     * @since 1.2
     */
    public static BundleSource uploaded(Path file, String sha256) {
        return new BundleSource(null, null, sha256, file);
    }

    /** Where it came from, for the job's record: the URL or "upload (N bytes)". */
    public String describe() {
        if (url != null) {
            return url.toString();
        }
        if (content != null) {
            return "upload (" + content.length + " bytes)";
        }
        long size = file.toFile().length();
        return "upload (" + size + " bytes)";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BundleSource b && Objects.equals(url, b.url) && Arrays.equals(content, b.content)
                && Objects.equals(file, b.file) && sha256.equalsIgnoreCase(b.sha256);
    }

    @Override
    public int hashCode() {
        return Objects.hash(url, Arrays.hashCode(content), file, sha256.toLowerCase());
    }

    @Override
    public String toString() {
        return "BundleSource[" + describe() + ", sha256=" + sha256 + "]";
    }
}
