package org.chargeedge.api.management;

import java.net.URI;
import java.util.Arrays;
import java.util.Objects;

/**
 * Where a job gets one bundle from: an {@code http}/{@code https} URL the
 * gateway downloads, or the bytes of an upload; either way with the SHA-256
 * the operator expects (64 hex digits), checked before anything is staged.
 *
 * @param url the download URL, null for an upload
 * @param content the uploaded jar, null for a download
 * @param sha256 the expected SHA-256 of the jar, lower or upper case hex
 */
public record BundleSource(URI url, byte[] content, String sha256) {

    public BundleSource {
        if ((url == null) == (content == null)) {
            throw new IllegalArgumentException("give either a URL or uploaded content, not both or neither");
        }
        Objects.requireNonNull(sha256, "sha256");
    }

    public static BundleSource download(URI url, String sha256) {
        return new BundleSource(url, null, sha256);
    }

    public static BundleSource upload(byte[] content, String sha256) {
        return new BundleSource(null, content.clone(), sha256);
    }

    /** Where it came from, for the job's record: the URL or "upload (N bytes)". */
    public String describe() {
        return url != null ? url.toString() : "upload (" + content.length + " bytes)";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BundleSource b && Objects.equals(url, b.url) && Arrays.equals(content, b.content)
                && sha256.equalsIgnoreCase(b.sha256);
    }

    @Override
    public int hashCode() {
        return Objects.hash(url, Arrays.hashCode(content), sha256.toLowerCase());
    }

    @Override
    public String toString() {
        return "BundleSource[" + describe() + ", sha256=" + sha256 + "]";
    }
}
