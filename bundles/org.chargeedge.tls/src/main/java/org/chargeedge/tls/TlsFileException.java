package org.chargeedge.tls;

import java.nio.file.Path;

/**
 * A certificate or key file that cannot be used, said so that an installer can fix it: which file
 * ({@link #file()}), what is wrong with it ({@link #problem()}, always beginning with "the file"),
 * and what to do ({@link #fix()}). The message joins the three:
 * {@code the file /etc/chargeedge/client.key holds a private key that does not belong to ... Fix: ...}.
 *
 * <p>Callers with their own words for the fix (a configuration key to name) use {@link #problem()}
 * and their fix; {@link #reason()} tells the cases apart without reading the text.
 */
public final class TlsFileException extends Exception {

    private static final long serialVersionUID = 1L;

    /** What is wrong, for callers that react to some cases differently. */
    public enum Reason {
        /** The file does not exist. */
        MISSING,
        /** The name is a directory. */
        DIRECTORY,
        /** The file exists but cannot be read (permissions, I/O). */
        UNREADABLE,
        /** The file is larger than {@link PemFiles#MAX_FILE_BYTES}: not a certificate or key file. */
        TOO_LARGE,
        /** The file is empty or holds only white space. */
        EMPTY,
        /** No certificate where one was expected: a private key, a request, other text. */
        NO_CERTIFICATE,
        /** No private key where one was expected: a certificate, other text. */
        NO_PRIVATE_KEY,
        /** A PEM block, certificate or key that cannot be decoded (truncated, damaged in copying). */
        DAMAGED,
        /** The private key is encrypted with a passphrase. */
        ENCRYPTED_PRIVATE_KEY,
        /** A private key of a kind TLS here cannot use (an OpenSSH key, an unknown algorithm). */
        UNSUPPORTED_PRIVATE_KEY,
        /** More than one private key in the file. */
        SEVERAL_PRIVATE_KEYS,
        /** The private key does not belong to the certificate (or the chain lists another certificate first). */
        KEY_MISMATCH
    }

    private final transient Path file;
    private final Reason reason;
    private final String problem;
    private final String fix;

    /**
     * @param what what is wrong, following "the file" ({@code "does not exist"})
     * @param fix what to do, a sentence without a final period
     */
    TlsFileException(Path file, Reason reason, String what, String fix, Throwable cause) {
        super("the file " + file + " " + what + ". Fix: " + fix, cause);
        this.file = file;
        this.reason = reason;
        this.problem = "the file " + what;
        this.fix = fix;
    }

    /** The file, as the caller named it. */
    public Path file() {
        return file;
    }

    public Reason reason() {
        return reason;
    }

    /**
     * What is wrong, without the file's name: {@code "the file does not exist"},
     * {@code "the file holds a private key (BEGIN PRIVATE KEY), not a certificate"}.
     */
    public String problem() {
        return problem;
    }

    /** What to do about it, in general terms (no configuration key is named). */
    public String fix() {
        return fix;
    }
}
