/**
 * TLS material from the PEM files an installer puts on the site PC: certificates (one or a
 * chain, or CA bundles), private keys in every form {@code openssl} writes them (PKCS#8
 * {@code BEGIN PRIVATE KEY}, PKCS#1 {@code BEGIN RSA PRIVATE KEY}, SEC1 {@code BEGIN EC PRIVATE KEY};
 * DER too), and from them the key and trust managers of an {@link javax.net.ssl.SSLContext}.
 *
 * <ul>
 * <li>{@link org.chargeedge.tls.PemFiles}: read certificates or a private key from a file; whether a
 * key belongs to a certificate.</li>
 * <li>{@link org.chargeedge.tls.KeyMaterial}: a certificate chain with its private key, checked to
 * belong together, and its {@link javax.net.ssl.X509ExtendedKeyManager} (for a TLS server, or for a
 * client certificate).</li>
 * <li>{@link org.chargeedge.tls.TrustMaterial}: the CA certificates of a file, with or without the
 * JDK's trust store, and their {@link javax.net.ssl.X509ExtendedTrustManager}.</li>
 * <li>{@link org.chargeedge.tls.FileStamp}: a cheap snapshot of files (size, time, identity) to notice
 * that they were replaced, so a certificate can be reloaded without a restart.</li>
 * <li>{@link org.chargeedge.tls.TlsFileException}: the one (checked) failure, naming the file, what
 * is wrong with it in an installer's words, and the fix.</li>
 * </ul>
 *
 * <p>Nothing here registers a security provider, logs, or keeps state: Bouncy Castle only parses,
 * the keys and certificates are the JDK's own types. Thread-safe: every class is immutable.
 */
@Export
@Version("1.0.0")
package org.chargeedge.tls;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
