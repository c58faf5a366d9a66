package org.chargeedge.tls;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A certificate chain with its private key, from two PEM files (or one holding both), checked to
 * belong together: what a TLS server presents, or a client that authenticates with a certificate
 * (OCPP security profile 3).
 *
 * <p>The {@link #keyManager()} offers this one certificate whatever the peer asks for: a client
 * sends it even when the server names other CAs in its certificate request (as {@code curl} and
 * {@code openssl s_client} do), so the server decides, and its refusal says why. The JDK's own
 * key manager would silently send nothing instead. Key types are still respected: an EC
 * certificate is not offered where only RSA will do.
 */
public final class KeyMaterial {

    private final List<X509Certificate> chain;
    private final PrivateKey privateKey;
    private final X509ExtendedKeyManager keyManager;

    private KeyMaterial(List<X509Certificate> chain, PrivateKey privateKey) {
        this.chain = List.copyOf(chain);
        this.privateKey = privateKey;
        this.keyManager = new SingleKeyManager(this.chain, privateKey);
    }

    /**
     * Reads the certificate chain (the certificate first, then its intermediate CA certificates)
     * and the private key, and checks that the key is the first certificate's.
     *
     * @param certificateFile PEM (or DER) with the certificate, then its intermediates
     * @param keyFile PEM (or DER PKCS#8) with the unencrypted private key; may be the same file
     * @throws TlsFileException a file cannot be used ({@link PemFiles}), or the key does not belong
     *                          to the first certificate ({@link TlsFileException.Reason#KEY_MISMATCH},
     *                          naming the key file; or the certificate file when the key's certificate
     *                          is in the chain, but not first)
     */
    public static KeyMaterial load(Path certificateFile, Path keyFile) throws TlsFileException {
        List<X509Certificate> chain = PemFiles.readCertificates(certificateFile);
        PrivateKey key = PemFiles.readPrivateKey(keyFile);
        X509Certificate first = chain.get(0);
        if (!PemFiles.keyMatches(key, first)) {
            for (int i = 1; i < chain.size(); i++) {
                if (PemFiles.keyMatches(key, chain.get(i))) {
                    throw new TlsFileException(certificateFile, TlsFileException.Reason.KEY_MISMATCH, "lists "
                            + PemFiles.subject(first) + " first, but the private key in " + keyFile + " belongs to "
                            + PemFiles.subject(chain.get(i)) + ", certificate " + (i + 1) + " of the file",
                            "put the certificate of the key first in the file, then its intermediate CA"
                                    + " certificates", null);
                }
            }
            String keyFamily = PemFiles.family(key.getAlgorithm());
            String certificateFamily = PemFiles.family(first.getPublicKey().getAlgorithm());
            String kinds = keyFamily.equals(certificateFamily) ? "" : " (the key is " + keyFamily
                    + ", the certificate's key " + certificateFamily + ")";
            throw new TlsFileException(keyFile, TlsFileException.Reason.KEY_MISMATCH, "holds a private key that does"
                    + " not belong to the certificate in " + certificateFile + " (" + PemFiles.subject(first) + ")"
                    + kinds, "use the key file made together with this certificate; a pair matches when 'openssl"
                    + " x509 -noout -pubkey -in CERTIFICATE | openssl sha256' and 'openssl pkey -pubout -in KEY |"
                    + " openssl sha256' print the same", null);
        }
        return new KeyMaterial(chain, key);
    }

    /** The certificate, then its intermediate CA certificates, as the file lists them. */
    public List<X509Certificate> chain() {
        return chain;
    }

    /** The first certificate of the chain: the one of the private key. */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    /**
     * A key manager presenting this chain, for {@code SSLContext.init} (client or server side).
     * The same instance on every call.
     */
    public X509ExtendedKeyManager keyManager() {
        return keyManager;
    }

    @Override
    public String toString() {
        X509Certificate c = certificate();
        return "KeyMaterial[" + c.getSubjectX500Principal().getName() + ", issued by "
                + c.getIssuerX500Principal().getName() + ", until " + c.getNotAfter().toInstant() + ", "
                + privateKey.getAlgorithm() + " key]";
    }
}
