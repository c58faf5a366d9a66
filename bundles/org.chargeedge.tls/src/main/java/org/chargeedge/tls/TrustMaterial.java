package org.chargeedge.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;

import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The CA certificates a TLS peer is checked against: those of a file, with or without the JDK's
 * trust store (its {@code cacerts}), and the JDK's PKIX trust manager over them. Checking is the
 * JDK's own: path building, validity dates, and the host name check where the caller asks for it.
 *
 * <p>A client trusting a private CSMS or broker CA keeps the JDK's store ({@code withJdkTrustStore}
 * true: public CAs keep working). A server checking client certificates (chargers of OCPP
 * security profile 3) trusts its file only: with the JDK's store, a certificate any public CA
 * issued would be accepted.
 */
public final class TrustMaterial {

    private final List<X509Certificate> certificates;
    private final X509ExtendedTrustManager trustManager;

    private TrustMaterial(List<X509Certificate> certificates, X509ExtendedTrustManager trustManager) {
        this.certificates = List.copyOf(certificates);
        this.trustManager = trustManager;
    }

    /**
     * The CA certificates of {@code caFile} ({@link PemFiles#readCertificates}), trusted alone or
     * together with the JDK's trust store.
     *
     * @throws TlsFileException the file cannot be used
     */
    public static TrustMaterial load(Path caFile, boolean withJdkTrustStore) throws TlsFileException {
        List<X509Certificate> file = PemFiles.readCertificates(caFile);
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int n = 0;
            if (withJdkTrustStore) {
                for (X509Certificate c : jdkTrustManager(null).getAcceptedIssuers()) {
                    store.setCertificateEntry("jdk-" + n++, c);
                }
            }
            for (X509Certificate c : file) {
                store.setCertificateEntry("file-" + n++, c);
            }
            return new TrustMaterial(file, jdkTrustManager(store));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("the JDK's TLS setup cannot be loaded: " + e, e);
        }
    }

    /** The JDK's trust store alone (what an {@code SSLContext} initialised with no trust managers uses). */
    public static TrustMaterial jdkDefault() {
        try {
            return new TrustMaterial(List.of(), jdkTrustManager(null));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's TLS setup cannot be loaded: " + e, e);
        }
    }

    /** The certificates read from the file, in its order; empty for {@link #jdkDefault()}. */
    public List<X509Certificate> certificates() {
        return certificates;
    }

    /** The JDK's PKIX trust manager over these CAs, for {@code SSLContext.init}. */
    public X509ExtendedTrustManager trustManager() {
        return trustManager;
    }

    /** The JDK's trust manager over {@code store}; null for the JDK's own trust store. */
    private static X509ExtendedTrustManager jdkTrustManager(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager in " + tmf.getAlgorithm());
    }
}
