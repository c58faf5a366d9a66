package org.chargeedge.management.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSigner;
import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Checks that a bundle's jar is signed (the jarsigner format, verified by
 * {@code java.util.jar}) by the trusted certificate or by a certificate it
 * issued: every entry but the signature files must be covered by such a
 * signer and unchanged since. Immutable; any thread.
 *
 * <p>Dates are not checked: a gateway's clock may be wrong after months in a
 * cabinet, and a bundle signed while the certificate was valid stays as
 * trustworthy as it was. Revoke by configuring another certificate.
 */
final class JarSignatures {

    private final X509Certificate trusted;

    JarSignatures(X509Certificate trusted) {
        this.trusted = trusted;
    }

    /** The trusted certificate from a PEM file. */
    static JarSignatures fromPem(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            Certificate c = CertificateFactory.getInstance("X.509").generateCertificate(in);
            return new JarSignatures((X509Certificate) c);
        } catch (CertificateException | ClassCastException e) {
            throw new IOException(file + " holds no X.509 certificate in PEM: " + e.getMessage(), e);
        }
    }

    X509Certificate trusted() {
        return trusted;
    }

    /**
     * @throws IOException saying why the jar is not signed by the trusted certificate: unsigned, an entry not
     *         signed, signed by another certificate, or changed after signing
     */
    void verify(Path jar) throws IOException {
        int signed = 0;
        try (JarFile file = new JarFile(jar.toFile(), true)) {
            Enumeration<JarEntry> entries = file.entries();
            while (entries.hasMoreElements()) {
                JarEntry entry = entries.nextElement();
                if (entry.isDirectory() || isSignatureFile(entry.getName())) {
                    continue;
                }
                // The signers are known, and the digest checked, only once the entry has been read to its end.
                try (InputStream in = file.getInputStream(entry)) {
                    in.transferTo(OutputStream.nullOutputStream());
                } catch (SecurityException e) {
                    throw new IOException("the jar's entry " + entry.getName() + " was changed after signing ("
                            + e.getMessage() + ")", e);
                }
                CodeSigner[] signers = entry.getCodeSigners();
                if (signers == null || signers.length == 0) {
                    throw new IOException(signed == 0 && !hasSignature(file)
                            ? "the jar is not signed, and a trusted signer certificate is configured"
                            : "the jar's entry " + entry.getName() + " is not signed");
                }
                if (!signedByTrusted(signers)) {
                    throw new IOException("the jar is signed by " + describe(signers) + ", not by the trusted"
                            + " certificate " + trusted.getSubjectX500Principal().getName()
                            + " nor a certificate it issued");
                }
                signed++;
            }
        } catch (SecurityException e) {
            throw new IOException("the jar's signature is invalid: " + e.getMessage(), e);
        }
        if (signed == 0) {
            throw new IOException("the jar has no signed content");
        }
    }

    private boolean signedByTrusted(CodeSigner[] signers) {
        for (CodeSigner signer : signers) {
            List<? extends Certificate> chain = signer.getSignerCertPath().getCertificates();
            if (!chain.isEmpty() && chain.get(0) instanceof X509Certificate leaf && issuedByTrusted(leaf)) {
                return true;
            }
        }
        return false;
    }

    /** The leaf is the trusted certificate, or carries a valid signature of the trusted certificate's key. */
    private boolean issuedByTrusted(X509Certificate leaf) {
        if (leaf.equals(trusted)) {
            return true;
        }
        if (!leaf.getIssuerX500Principal().equals(trusted.getSubjectX500Principal())) {
            return false;
        }
        try {
            leaf.verify(trusted.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static boolean hasSignature(JarFile file) {
        return file.stream().anyMatch(e -> isSignatureFile(e.getName()) && e.getName().toUpperCase(Locale.ROOT)
                .endsWith(".SF"));
    }

    private static String describe(CodeSigner[] signers) {
        StringBuilder out = new StringBuilder();
        for (CodeSigner s : signers) {
            CertPath path = s.getSignerCertPath();
            Certificate leaf = path.getCertificates().isEmpty() ? null : path.getCertificates().get(0);
            if (out.length() > 0) {
                out.append(", ");
            }
            out.append(leaf instanceof X509Certificate x ? x.getSubjectX500Principal().getName() : "an unknown signer");
        }
        return out.toString();
    }

    /** The manifest and the signature block files jarsigner writes in META-INF. */
    static boolean isSignatureFile(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        if (!upper.startsWith("META-INF/") || upper.indexOf('/', 9) >= 0) {
            return false;
        }
        return upper.equals("META-INF/MANIFEST.MF") || upper.endsWith(".SF") || upper.endsWith(".RSA")
                || upper.endsWith(".DSA") || upper.endsWith(".EC") || upper.startsWith("META-INF/SIG-");
    }
}
