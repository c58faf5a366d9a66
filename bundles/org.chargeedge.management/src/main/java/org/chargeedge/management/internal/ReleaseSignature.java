package org.chargeedge.management.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.Base64;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;

/**
 * Release descriptors as JWS (RFC 7515) in compact serialisation, signed with
 * ES256 (ECDSA on P-256 with SHA-256) by Nimbus JOSE+JWT, the JDK doing the
 * cryptography. Keys are PEM files as {@code openssl} writes them: the private
 * key PKCS#8 ({@code BEGIN PRIVATE KEY}), the public key SubjectPublicKeyInfo
 * ({@code BEGIN PUBLIC KEY}). Public for the release tool.
 */
public final class ReleaseSignature {

    /** The JWS "typ" of a release descriptor, so no other JWS signed with the key passes as one. */
    public static final JOSEObjectType TYPE = new JOSEObjectType("chargeedge-release+jws");

    private ReleaseSignature() {
    }

    /** Signs a descriptor; returns the compact JWS. */
    public static String sign(ReleaseDescriptor descriptor, ECPrivateKey key) throws IOException {
        JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.ES256).type(TYPE).build(),
                new Payload(descriptor.toJson()));
        try {
            jws.sign(new ECDSASigner(key));
        } catch (JOSEException e) {
            throw new IOException("signing failed: " + e.getMessage(), e);
        }
        return jws.serialize();
    }

    /**
     * Checks a compact JWS against the trusted key and returns the descriptor it carries.
     *
     * @throws IOException when it is no JWS, is not an ES256 release descriptor, or the signature does not verify
     */
    public static ReleaseDescriptor verify(String compact, ECPublicKey trusted) throws IOException {
        JWSObject jws;
        try {
            jws = JWSObject.parse(compact.trim());
        } catch (ParseException e) {
            throw new IOException("the release descriptor is no JWS: " + e.getMessage(), e);
        }
        if (!JWSAlgorithm.ES256.equals(jws.getHeader().getAlgorithm())) {
            throw new IOException("the release descriptor is signed with " + jws.getHeader().getAlgorithm()
                    + ", not ES256");
        }
        if (!TYPE.equals(jws.getHeader().getType())) {
            throw new IOException("the signed document is not a release descriptor (typ "
                    + jws.getHeader().getType() + ")");
        }
        boolean valid;
        try {
            valid = jws.verify(new ECDSAVerifier(trusted));
        } catch (JOSEException e) {
            throw new IOException("the release descriptor's signature cannot be checked: " + e.getMessage(), e);
        }
        if (!valid) {
            throw new IOException("the release descriptor's signature does not verify with the trusted key");
        }
        return ReleaseDescriptor.parse(jws.getPayload().toBytes());
    }

    public static ECPublicKey readPublicKey(Path pem) throws IOException {
        byte[] der = pemBody(pem, "PUBLIC KEY");
        try {
            return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IOException(pem + " holds no EC public key: " + e.getMessage(), e);
        }
    }

    public static ECPrivateKey readPrivateKey(Path pem) throws IOException {
        byte[] der = pemBody(pem, "PRIVATE KEY");
        try {
            return (ECPrivateKey) KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IOException(pem + " holds no EC private key in PKCS#8: " + e.getMessage(), e);
        }
    }

    /** Writes a key as PEM: "PUBLIC KEY" (SubjectPublicKeyInfo) or "PRIVATE KEY" (PKCS#8). */
    public static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    private static byte[] pemBody(Path pem, String label) throws IOException {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        if (b < 0 || e < b) {
            throw new IOException(pem + " has no '" + begin + "' block" + (label.equals("PRIVATE KEY")
                    && text.contains("BEGIN EC PRIVATE KEY")
                            ? " (it is an SEC1 key; convert it: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.p8)"
                            : ""));
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
        } catch (IllegalArgumentException ex) {
            throw new IOException(pem + " is not valid PEM: " + ex.getMessage(), ex);
        }
    }
}
