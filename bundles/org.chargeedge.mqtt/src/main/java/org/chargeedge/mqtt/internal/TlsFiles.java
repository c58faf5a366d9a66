package org.chargeedge.mqtt.internal;

import java.nio.file.Path;
import java.security.GeneralSecurityException;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

import org.chargeedge.tls.KeyMaterial;
import org.chargeedge.tls.TlsFileException;
import org.chargeedge.tls.TrustMaterial;

/**
 * The PEM files of an {@code ssl://} broker connection: a CA certificate (bundle) trusted in
 * addition to the JVM's trust store, and optionally a client certificate (chain) with its
 * unencrypted private key (PKCS#8, PKCS#1 RSA or SEC1 EC; RSA, EC or EdDSA), read by
 * {@code org.chargeedge.tls}. Empty paths: not used.
 *
 * @param caFile PEM with one or more CA certificates; empty: the JVM's trust store only
 * @param certFile PEM with the client certificate, then its intermediates; empty: no client certificate
 * @param keyFile PEM with the client certificate's private key
 */
record TlsFiles(String caFile, String certFile, String keyFile) {

    static final TlsFiles NONE = new TlsFiles("", "", "");

    TlsFiles {
        caFile = caFile == null ? "" : caFile.strip();
        certFile = certFile == null ? "" : certFile.strip();
        keyFile = keyFile == null ? "" : keyFile.strip();
        if (certFile.isEmpty() != keyFile.isEmpty()) {
            throw new IllegalArgumentException("a client certificate needs both tlsCertFile and tlsKeyFile");
        }
    }

    /** Whether any file is set (without one, Paho's default SSL socket factory is used). */
    boolean configured() {
        return !caFile.isEmpty() || !certFile.isEmpty();
    }

    /**
     * The context: the JVM's trust anchors plus the CA file's, and the client key and certificate
     * if given (checked to belong together).
     *
     * @throws TlsFileException a file cannot be used; the message names it and the fix
     */
    SSLContext context() throws TlsFileException {
        KeyManager[] keys = certFile.isEmpty() ? null
                : new KeyManager[] {KeyMaterial.load(Path.of(certFile), Path.of(keyFile)).keyManager()};
        TrustManager[] trust = trustManagers();
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(keys, trust, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JVM's TLS provider cannot be used: " + e, e);
        }
    }

    /** The JVM's trust store plus the CA file's certificates; null (the JVM's default) without a CA file. */
    TrustManager[] trustManagers() throws TlsFileException {
        if (caFile.isEmpty()) {
            return null;
        }
        return new TrustManager[] {TrustMaterial.load(Path.of(caFile), true).trustManager()};
    }
}
