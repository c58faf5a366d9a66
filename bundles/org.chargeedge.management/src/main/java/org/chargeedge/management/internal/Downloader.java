package org.chargeedge.management.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Downloads over http and https with bounds a site's LTE link needs: a
 * connect timeout, a timeout for a stalled read, a deadline for the whole
 * download, and a size limit checked as bytes arrive (a missing or lying
 * Content-Length changes nothing). Redirects are followed within the same
 * scheme only, so https never turns into http.
 */
final class Downloader {

    private final Duration connectTimeout;
    private final Duration total;
    private final long maxBytes;

    Downloader(Duration connectTimeout, Duration total, long maxBytes) {
        this.connectTimeout = connectTimeout;
        this.total = total;
        this.maxBytes = maxBytes;
    }

    static void checkScheme(URI url) throws IOException {
        String scheme = url.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
            throw new IOException("only http and https URLs can be downloaded, not " + url);
        }
    }

    /**
     * Downloads {@code url} into {@code target} (synced) and returns its SHA-256.
     *
     * @throws IOException with what failed in an operator's words: unreachable, an HTTP status, too big, too slow
     */
    String download(URI url, Path target) throws IOException {
        checkScheme(url);
        long deadline = System.nanoTime() + total.toNanos();
        URLConnection c = url.toURL().openConnection();
        if (!(c instanceof HttpURLConnection http)) {
            throw new IOException("not an HTTP URL: " + url);
        }
        http.setConnectTimeout((int) connectTimeout.toMillis());
        http.setReadTimeout((int) connectTimeout.toMillis());
        http.setInstanceFollowRedirects(true);
        http.setUseCaches(false);
        try {
            int status;
            try {
                status = http.getResponseCode();
            } catch (SocketTimeoutException e) {
                throw new IOException(url + " did not answer within " + connectTimeout.toSeconds() + " s", e);
            } catch (IOException e) {
                throw new IOException(url + " is unreachable: " + e, e);
            }
            if (status != 200) {
                throw new IOException(url + " answered HTTP " + status + " " + http.getResponseMessage());
            }
            long length = http.getContentLengthLong();
            if (length > maxBytes) {
                throw new IOException(url + " is " + length + " bytes, more than the limit of " + maxBytes);
            }
            String sha;
            try (InputStream in = http.getInputStream(); OutputStream out = Files.newOutputStream(target)) {
                sha = BundleJars.copyHashed(in, out, maxBytes, () -> {
                    if (System.nanoTime() - deadline > 0) {
                        throw new IOException(url + " took longer than " + total.toSeconds() + " s to download");
                    }
                });
            } catch (SocketTimeoutException e) {
                throw new IOException(url + " stalled for " + connectTimeout.toSeconds() + " s while downloading", e);
            }
            if (sha == null) {
                throw new IOException(url + " sent more than the limit of " + maxBytes + " bytes");
            }
            AtomicFiles.sync(target);
            return sha;
        } finally {
            http.disconnect();
        }
    }

    /** Reads a small document (a release descriptor) into memory, with the same bounds. */
    byte[] fetch(URI url, Path scratch) throws IOException {
        download(url, scratch);
        try {
            return Files.readAllBytes(scratch);
        } finally {
            Files.deleteIfExists(scratch);
        }
    }
}
