package org.chargeedge.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.X509TrustedCertificateBlock;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * Reads certificates and private keys from files as {@code openssl} and certificate authorities
 * write them, and tells whether a key belongs to a certificate.
 *
 * <p>PEM files may hold text around their blocks ({@code Bag Attributes}, {@code subject=} lines)
 * and several blocks; a file without any PEM block is read as DER (a certificate, a PKCS#7
 * bundle, or a PKCS#8 key). Private keys: PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1
 * ({@code BEGIN RSA PRIVATE KEY}), SEC1 ({@code BEGIN EC PRIVATE KEY}, with or without the
 * {@code EC PARAMETERS} block {@code openssl ecparam -genkey} writes before it); RSA, EC, EdDSA
 * and DSA keys. Encrypted keys are refused with the command that decrypts them.
 *
 * <p>Every failure is a {@link TlsFileException} naming the file, the problem and the fix.
 */
public final class PemFiles {

    /** A certificate or key file is a few kilobytes, a CA bundle some hundreds: anything larger is the wrong file. */
    public static final long MAX_FILE_BYTES = 4L << 20;

    private static final String KEY_BLOCKS = "'-----BEGIN PRIVATE KEY-----', 'BEGIN RSA PRIVATE KEY' or"
            + " 'BEGIN EC PRIVATE KEY'";
    private static final SecureRandom RANDOM = new SecureRandom();

    private PemFiles() {
    }

    /**
     * The X.509 certificates of a file, in the order they appear: every {@code CERTIFICATE}
     * ({@code X509 CERTIFICATE}, {@code TRUSTED CERTIFICATE}, {@code PKCS7}) block of a PEM file,
     * or the certificates of a DER file. Other blocks (a private key next to the certificate) are
     * passed over.
     *
     * @return at least one certificate
     * @throws TlsFileException the file is missing, unreadable, empty, too large, holds no
     *                          certificate (a key, a request) or a damaged one
     */
    public static List<X509Certificate> readCertificates(Path file) throws TlsFileException {
        byte[] content = read(file);
        List<PemObject> blocks = blocks(file, content);
        List<X509Certificate> found = new ArrayList<>();
        Set<String> others = new LinkedHashSet<>();
        if (blocks.isEmpty()) {
            found.addAll(der(content));
        }
        for (int i = 0; i < blocks.size(); i++) {
            PemObject block = blocks.get(i);
            String type = block.getType().strip();
            try {
                switch (type) {
                    case "CERTIFICATE", "X509 CERTIFICATE" -> found.add(certificate(block.getContent()));
                    case "TRUSTED CERTIFICATE" -> found.add(certificate(new X509TrustedCertificateBlock(
                            block.getContent()).getCertificateHolder().getEncoded()));
                    case "PKCS7" -> found.addAll(der(block.getContent()));
                    default -> others.add(type);
                }
            } catch (IOException | CertificateException | RuntimeException e) {
                throw new TlsFileException(file, TlsFileException.Reason.DAMAGED, "holds a certificate (block "
                        + (i + 1) + ", BEGIN " + type + ") that cannot be read (" + e.getMessage() + ")",
                        "copy the file again unchanged from its source; a certificate damaged in copying (lines"
                                + " cut, characters changed) cannot be repaired", e);
            }
        }
        if (found.isEmpty()) {
            boolean key = others.stream().anyMatch(t -> t.endsWith("PRIVATE KEY"));
            throw new TlsFileException(file, TlsFileException.Reason.NO_CERTIFICATE, others.isEmpty()
                    ? "holds no certificate (no '-----BEGIN CERTIFICATE-----' block)"
                    : "holds " + describe(others) + ", not a certificate",
                    key ? "name here the certificate file ('-----BEGIN CERTIFICATE-----' blocks), not the private"
                            + " key; the key goes into its own setting"
                            : "name here a PEM file with '-----BEGIN CERTIFICATE-----' blocks (or a DER certificate)",
                    null);
        }
        return List.copyOf(found);
    }

    /**
     * The private key of a file: the one {@code PRIVATE KEY} block of a PEM file (which may also
     * hold certificates and {@code EC PARAMETERS}), or a DER PKCS#8 key.
     *
     * @throws TlsFileException the file is missing, unreadable, empty, too large, holds no key or
     *                          several, an encrypted key, a damaged one, or one of a kind the JDK
     *                          cannot use
     */
    public static PrivateKey readPrivateKey(Path file) throws TlsFileException {
        byte[] content = read(file);
        List<PemObject> blocks = blocks(file, content);
        if (blocks.isEmpty()) {
            PrivateKeyInfo der;
            try {
                der = PrivateKeyInfo.getInstance(content);
            } catch (RuntimeException e) {
                der = null;
            }
            if (der == null) {
                throw new TlsFileException(file, TlsFileException.Reason.NO_PRIVATE_KEY,
                        "holds no private key (no " + KEY_BLOCKS + " block)",
                        "name here the private key file made together with the certificate", null);
            }
            return convert(file, der, "DER PKCS#8");
        }
        List<PemObject> keys = new ArrayList<>();
        Set<String> others = new LinkedHashSet<>();
        for (PemObject block : blocks) {
            String type = block.getType().strip();
            if (type.endsWith("PRIVATE KEY")) {
                keys.add(block);
            } else if (!type.equals("EC PARAMETERS")) {
                others.add(type);
            }
        }
        if (keys.isEmpty()) {
            throw new TlsFileException(file, TlsFileException.Reason.NO_PRIVATE_KEY, others.isEmpty()
                    ? "holds no private key (no " + KEY_BLOCKS + " block)"
                    : "holds " + describe(others) + ", not a private key",
                    "name here the private key file (a " + KEY_BLOCKS + " block) made together with the"
                            + " certificate", null);
        }
        if (keys.size() > 1) {
            throw new TlsFileException(file, TlsFileException.Reason.SEVERAL_PRIVATE_KEYS, "holds " + keys.size()
                    + " private keys", "keep only the private key of the certificate in the file", null);
        }
        return privateKey(file, keys.get(0));
    }

    /**
     * Whether {@code key} is the private key of {@code certificate}'s public key: the RSA moduli
     * are compared; other keys sign a random challenge that the certificate's key must verify.
     * False when the algorithms differ.
     */
    public static boolean keyMatches(PrivateKey key, X509Certificate certificate) {
        PublicKey publicKey = certificate.getPublicKey();
        if (key instanceof RSAKey rsa || publicKey instanceof RSAKey) {
            if (!(key instanceof RSAKey privateRsa && publicKey instanceof RSAPublicKey publicRsa)) {
                return false;
            }
            return privateRsa.getModulus().equals(publicRsa.getModulus())
                    && (!(key instanceof RSAPrivateCrtKey crt) || crt.getPublicExponent()
                    .equals(publicRsa.getPublicExponent()));
        }
        String algorithm = switch (family(key.getAlgorithm())) {
            case "EC" -> "SHA256withECDSA";
            case "EdDSA" -> "EdDSA";
            case "DSA" -> "SHA256withDSA";
            default -> null;
        };
        if (algorithm == null || !family(key.getAlgorithm()).equals(family(publicKey.getAlgorithm()))) {
            return false;
        }
        try {
            byte[] challenge = new byte[32];
            RANDOM.nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /** "EC", "RSA", "EdDSA" (Ed25519, Ed448), "DSA", or the name as it is. */
    static String family(String algorithm) {
        String a = algorithm.toUpperCase(Locale.ROOT);
        if (a.equals("EC") || a.equals("ECDSA")) {
            return "EC";
        }
        if (a.equals("EDDSA") || a.equals("ED25519") || a.equals("ED448")) {
            return "EdDSA";
        }
        if (a.equals("RSA") || a.equals("RSASSA-PSS")) {
            return "RSA";
        }
        return algorithm;
    }

    /**
     * The common name of a certificate's subject as {@code "CN=..."} (how messages name a
     * certificate), or the whole subject (RFC 2253) when it has none.
     */
    public static String subject(X509Certificate certificate) {
        String dn = certificate.getSubjectX500Principal().getName();
        for (String part : dn.split(",")) {
            if (part.strip().startsWith("CN=")) {
                return part.strip();
            }
        }
        return dn;
    }

    // ---- reading ----------------------------------------------------------------------------------

    /** The file's bytes, with every way of not getting them said in an installer's words. */
    static byte[] read(Path file) throws TlsFileException {
        String where = file.isAbsolute() ? "" : " (a relative name: it is looked up from the gateway's working"
                + " directory " + Path.of("").toAbsolutePath() + "; better give the full path)";
        if (Files.isDirectory(file)) {
            throw new TlsFileException(file, TlsFileException.Reason.DIRECTORY, "is a directory, not a file" + where,
                    "name the file inside the directory", null);
        }
        byte[] content;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new TlsFileException(file, TlsFileException.Reason.TOO_LARGE, "is larger than "
                        + (MAX_FILE_BYTES >> 20) + " MB: not a certificate or key file",
                        "name the PEM file itself (certificates and keys are a few kilobytes)", null);
            }
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new TlsFileException(file, TlsFileException.Reason.MISSING, "does not exist" + where,
                    "check the name, or copy the file there", e);
        } catch (AccessDeniedException e) {
            String user = System.getProperty("user.name");
            throw new TlsFileException(file, TlsFileException.Reason.UNREADABLE, "cannot be read: permission denied"
                    + " for the user the gateway runs as (" + user + ")", "let " + user + " read the file (and"
                    + " every directory above it): chown or chmod it; keep a private key readable by that user"
                    + " only", e);
        } catch (IOException e) {
            throw new TlsFileException(file, TlsFileException.Reason.UNREADABLE, "cannot be read (" + e + ")",
                    "check the file and the disk", e);
        }
        if (new String(content, StandardCharsets.ISO_8859_1).isBlank()) {
            throw new TlsFileException(file, TlsFileException.Reason.EMPTY, "is empty",
                    "copy the certificate or key into it again (the PEM text from '-----BEGIN' to '-----END')",
                    null);
        }
        return content;
    }

    /** The PEM blocks of the file; none for a DER file. */
    private static List<PemObject> blocks(Path file, byte[] content) throws TlsFileException {
        List<PemObject> blocks = new ArrayList<>();
        try (PemReader reader = new PemReader(new StringReader(new String(content, StandardCharsets.ISO_8859_1)))) {
            for (PemObject block = reader.readPemObject(); block != null; block = reader.readPemObject()) {
                blocks.add(block);
            }
        } catch (IOException | RuntimeException e) {
            throw new TlsFileException(file, TlsFileException.Reason.DAMAGED, "holds a PEM block (block "
                    + (blocks.size() + 1) + ") that cannot be read (" + e.getMessage() + ")",
                    "copy the file again unchanged from its source; every '-----BEGIN ...-----' line needs its"
                            + " '-----END ...-----' line and the lines between must stay as they were", e);
        }
        return blocks;
    }

    private static X509Certificate certificate(byte[] der) throws CertificateException {
        return (X509Certificate) factory().generateCertificate(new ByteArrayInputStream(der));
    }

    /** The X.509 certificates of DER (or PKCS#7) bytes; none when they are something else. */
    private static List<X509Certificate> der(byte[] content) {
        List<X509Certificate> found = new ArrayList<>();
        try {
            for (Certificate c : factory().generateCertificates(new ByteArrayInputStream(content))) {
                if (c instanceof X509Certificate x) {
                    found.add(x);
                }
            }
        } catch (CertificateException e) {
            // Neither: the caller says what the file holds instead.
        }
        return found;
    }

    private static CertificateFactory factory() {
        try {
            return CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("the JDK has no X.509 certificate factory", e);
        }
    }

    private static PrivateKey privateKey(Path file, PemObject block) throws TlsFileException {
        String type = block.getType().strip();
        if (type.equals("OPENSSH PRIVATE KEY")) {
            throw new TlsFileException(file, TlsFileException.Reason.UNSUPPORTED_PRIVATE_KEY, "holds an OpenSSH key"
                    + " (BEGIN OPENSSH PRIVATE KEY), not a TLS key", "name here the private key made together with"
                    + " the certificate (its request), as openssl writes it", null);
        }
        Object parsed;
        try (PEMParser parser = new PEMParser(new StringReader(pem(block)))) {
            parsed = parser.readObject();
        } catch (IOException | RuntimeException e) {
            throw new TlsFileException(file, TlsFileException.Reason.DAMAGED, "holds a private key (BEGIN " + type
                    + ") that cannot be read (" + e.getMessage() + ")", "copy the key file again unchanged from"
                    + " where it was made", e);
        }
        if (parsed instanceof PEMEncryptedKeyPair || parsed instanceof PKCS8EncryptedPrivateKeyInfo) {
            throw new TlsFileException(file, TlsFileException.Reason.ENCRYPTED_PRIVATE_KEY, "holds a private key"
                    + " encrypted with a passphrase (BEGIN " + type + ")", "decrypt it once, into a file only the"
                    + " gateway's user can read: openssl pkey -in KEY -out KEY.plain (asks for the passphrase);"
                    + " chmod 600 KEY.plain; then name KEY.plain here", null);
        }
        PrivateKeyInfo info;
        if (parsed instanceof PrivateKeyInfo p) {
            info = p;
        } else if (parsed instanceof PEMKeyPair pair) {
            info = pair.getPrivateKeyInfo();
        } else {
            throw new TlsFileException(file, TlsFileException.Reason.UNSUPPORTED_PRIVATE_KEY, "holds a 'BEGIN "
                    + type + "' block, which is no private key the gateway can use", "name here the private key"
                    + " (a " + KEY_BLOCKS + " block) made together with the certificate", null);
        }
        return convert(file, info, "BEGIN " + type);
    }

    private static PrivateKey convert(Path file, PrivateKeyInfo info, String form) throws TlsFileException {
        if (X9ObjectIdentifiers.id_ecPublicKey.equals(info.getPrivateKeyAlgorithm().getAlgorithm())
                && info.getPrivateKeyAlgorithm().getParameters() == null) {
            throw new TlsFileException(file, TlsFileException.Reason.UNSUPPORTED_PRIVATE_KEY, "holds an EC private key"
                    + " (" + form + ") that does not name its curve, as some Java tools write it",
                    "write the key again with its curve (as PKCS#8 from the tool that made it), or make a new key"
                            + " and certificate request with openssl (openssl req -newkey ec -pkeyopt"
                            + " ec_paramgen_curve:P-256)", null);
        }
        try {
            return new JcaPEMKeyConverter().getPrivateKey(info);
        } catch (IOException | RuntimeException e) {
            String algorithm = info.getPrivateKeyAlgorithm() == null ? "unknown"
                    : info.getPrivateKeyAlgorithm().getAlgorithm().getId();
            throw new TlsFileException(file, TlsFileException.Reason.UNSUPPORTED_PRIVATE_KEY, "holds a private key ("
                    + form + ", algorithm " + algorithm + ") that cannot be used (" + e.getMessage() + ")",
                    "use an RSA (2048 bits or more), EC (P-256, P-384) or Ed25519 key", e);
        }
    }

    /** One block written back as PEM text (with its headers), for Bouncy Castle's parser. */
    private static String pem(PemObject block) throws IOException {
        StringWriter text = new StringWriter();
        try (PemWriter writer = new PemWriter(text)) {
            writer.writeObject(block);
        }
        return text.toString();
    }

    private static String describe(Set<String> blocks) {
        List<String> parts = new ArrayList<>();
        for (String type : blocks) {
            String what = type.contains("PRIVATE KEY") ? "a private key" : type.contains("PUBLIC KEY") ? "a public key"
                    : type.contains("REQUEST") ? "a certificate request" : type.contains("CERTIFICATE")
                    ? "a certificate" : "a '" + type + "' block";
            parts.add(what + " (BEGIN " + type + ")");
        }
        return String.join(" and ", parts);
    }
}
