package org.chargeedge.management.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.osgi.framework.Version;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What a release channel publishes: the bundles of a release with their
 * versions, download URLs (absolute, or relative to the descriptor's URL) and
 * SHA-256, the channel it is for, an increasing release number, and whether
 * it may downgrade. It travels as the payload of a JWS signed with the
 * release key ({@link ReleaseSignature}); the format is in
 * {@code docs/operations.md}. Public for the release tool.
 *
 * @param format always {@value #FORMAT}
 * @param channel the channel it is for ("stable", "pilot")
 * @param release the release number, increasing within a channel; a gateway never applies a lower one than it
 *        applied
 * @param published when it was signed (ISO-8601), for people; the order comes from {@code release}
 * @param allowDowngrade whether a bundle of the release may replace a higher version of itself
 * @param bundles the bundles
 */
public record ReleaseDescriptor(int format, String channel, long release, String published, boolean allowDowngrade,
        List<Entry> bundles) {

    public static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** One bundle of a release. */
    public record Entry(String symbolicName, String version, String url, String sha256) {

        /** The entry of a bundle jar: its symbolic name and version from the manifest, its SHA-256. */
        public static Entry of(Path jar, String url) throws IOException {
            BundleJars.Identity id = BundleJars.identify(jar);
            return new Entry(id.symbolicName(), id.version().toString(), url, BundleJars.sha256(jar));
        }
    }

    public ReleaseDescriptor {
        bundles = bundles == null ? List.of() : List.copyOf(bundles);
    }

    /**
     * Reads and checks a descriptor's JSON.
     *
     * @throws IOException naming what is wrong
     */
    public static ReleaseDescriptor parse(byte[] json) throws IOException {
        ReleaseDescriptor d = JSON.readValue(json, ReleaseDescriptor.class);
        if (d.format() != FORMAT) {
            throw new IOException("release descriptor format " + d.format() + " is not " + FORMAT);
        }
        if (d.channel() == null || d.channel().isBlank()) {
            throw new IOException("release descriptor without a channel");
        }
        if (d.release() <= 0) {
            throw new IOException("release number must be positive, not " + d.release());
        }
        if (d.bundles().isEmpty()) {
            throw new IOException("release " + d.release() + " lists no bundle");
        }
        Set<String> names = new HashSet<>();
        for (Entry e : d.bundles()) {
            if (e.symbolicName() == null || e.url() == null || !BundleJars.isSha256(e.sha256())) {
                throw new IOException("release " + d.release() + " has an entry without symbolic name, URL or a"
                        + " 64-digit SHA-256: " + e);
            }
            try {
                Version.parseVersion(e.version());
            } catch (IllegalArgumentException ex) {
                throw new IOException("release " + d.release() + ": " + e.symbolicName() + " has no valid version", ex);
            }
            if (!names.add(e.symbolicName())) {
                throw new IOException("release " + d.release() + " lists " + e.symbolicName() + " twice");
            }
        }
        return d;
    }

    public byte[] toJson() throws IOException {
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this);
    }
}
