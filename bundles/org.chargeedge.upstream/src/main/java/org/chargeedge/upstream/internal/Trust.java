package org.chargeedge.upstream.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * What the link trusts for {@code wss://}: the JDK's trust store plus the CA certificates of
 * {@code caFile} (PEM, or DER), and the TLS context built from them.
 *
 * <p>A {@code caFile} that is missing, unreadable, empty or holds no X.509 certificate (a private
 * key, a certificate request) is a {@link ConfigurationProblem} naming the file and the fix, never
 * an exception from deep inside the JDK.
 *
 * <p>The trust manager records the certificate chain each server presented, by host and port,
 * before it checks it: when a handshake fails, {@link LinkProblem} can then say which names the
 * certificate has, when it expires and who issued it. Checking is left entirely to the JDK's
 * trust manager (path building, validity, and the host name check the HTTP client asks for).
 */
final class Trust {

    static final String CA_FILE = "caFile";
    /** A CA file is a few certificates; anything this large is the wrong file. */
    private static final long MAX_FILE_BYTES = 4L << 20;
    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----",
            Pattern.DOTALL);
    private static final String FIX = "set caFile to a PEM file holding the certificate of the CA that signed the"
            + " CSMS's certificate (blocks '-----BEGIN CERTIFICATE-----'; the CSMS operator provides it), or leave"
            + " caFile empty when the CSMS's certificate is signed by a public CA";

    private final SSLContext context;
    private final List<X509Certificate> caCertificates;
    private final ChainRecorder recorder;

    private Trust(SSLContext context, List<X509Certificate> caCertificates, ChainRecorder recorder) {
        this.context = context;
        this.caCertificates = caCertificates;
        this.recorder = recorder;
    }

    /**
     * The JDK's trust store plus the CA certificates of {@code caFile} (none when it is empty),
     * with the chain-recording trust manager.
     *
     * @throws ConfigurationProblem when {@code caFile} is set but cannot be used
     */
    static Trust load(String caFile) throws ConfigurationProblem {
        List<X509Certificate> site = caFile == null || caFile.isBlank() ? List.of() : readCaFile(caFile);
        try {
            X509TrustManager jdk = jdkTrustManager(null);
            X509TrustManager checker = jdk;
            if (!site.isEmpty()) {
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                int n = 0;
                for (X509Certificate c : jdk.getAcceptedIssuers()) {
                    store.setCertificateEntry("jdk-" + n++, c);
                }
                for (X509Certificate c : site) {
                    store.setCertificateEntry("site-ca-" + n++, c);
                }
                checker = jdkTrustManager(store);
            }
            ChainRecorder recorder = checker instanceof X509ExtendedTrustManager x ? new ChainRecorder(x) : null;
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, new TrustManager[] {recorder != null ? recorder : checker}, null);
            return new Trust(ssl, site, recorder);
        } catch (GeneralSecurityException | IOException e) {
            // The JDK's own trust store or TLS provider is broken: not something caFile can fix.
            throw new IllegalStateException("the JDK's TLS setup cannot be loaded: " + e, e);
        }
    }

    /**
     * What {@code UpstreamComponent.sslContext} did: the JDK's trust store plus {@code caFile}'s
     * CA certificates; errors in {@code caFile} as a {@link ConfigurationProblem}.
     */
    static SSLContext sslContext(String caFile) throws ConfigurationProblem {
        return load(caFile).sslContext();
    }

    SSLContext sslContext() {
        return context;
    }

    /** The certificates read from {@code caFile}; empty without one. */
    List<X509Certificate> caCertificates() {
        return caCertificates;
    }

    /** The TLS versions the link offers. */
    List<String> protocols() {
        return List.of(context.getDefaultSSLParameters().getProtocols());
    }

    /**
     * The chain the server at the URI's host and port presented in the last handshake that got
     * as far as the certificate (server certificate first); empty when none was seen.
     */
    List<X509Certificate> lastServerChain(URI uri) {
        if (recorder == null || uri.getHost() == null) {
            return List.of();
        }
        int port = uri.getPort() != -1 ? uri.getPort() : "ws".equalsIgnoreCase(uri.getScheme()) ? 80 : 443;
        return recorder.chains.getOrDefault(key(uri.getHost(), port), List.of());
    }

    /**
     * The X.509 certificates of {@code caFile}: every {@code CERTIFICATE} block of a PEM file, or
     * the certificates of a DER (or PKCS#7) file.
     *
     * @throws ConfigurationProblem when the file is missing, unreadable, empty, or holds none
     */
    static List<X509Certificate> readCaFile(String caFile) throws ConfigurationProblem {
        Path path;
        try {
            path = Path.of(caFile.strip());
        } catch (InvalidPathException e) {
            throw problem(caFile, "is not a valid file name (" + e.getReason() + ")", e);
        }
        String where = path.isAbsolute() ? "" : " (a relative name: it is looked up from the gateway's working"
                + " directory " + Path.of("").toAbsolutePath() + "; better give the full path)";
        if (Files.isDirectory(path)) {
            throw problem(caFile, "is a directory, not a file" + where, null);
        }
        byte[] content;
        try {
            if (Files.size(path) > MAX_FILE_BYTES) {
                throw problem(caFile, "is larger than " + (MAX_FILE_BYTES >> 20) + " MB: not a CA certificate file",
                        null);
            }
            content = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw problem(caFile, "does not exist" + where, e);
        } catch (AccessDeniedException e) {
            throw problem(caFile, "cannot be read: permission denied for the user the gateway runs as ("
                    + System.getProperty("user.name") + ")", e);
        } catch (IOException e) {
            throw problem(caFile, "cannot be read (" + e + ")", e);
        }
        if (new String(content, StandardCharsets.ISO_8859_1).isBlank()) {
            throw problem(caFile, "is empty", null);
        }
        return certificates(caFile, content);
    }

    private static List<X509Certificate> certificates(String caFile, byte[] content) throws ConfigurationProblem {
        CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("the JDK has no X.509 certificate factory", e);
        }
        Matcher pem = PEM.matcher(new String(content, StandardCharsets.ISO_8859_1));
        List<X509Certificate> found = new ArrayList<>();
        Set<String> otherBlocks = new LinkedHashSet<>();
        int block = 0;
        boolean anyPem = false;
        while (pem.find()) {
            anyPem = true;
            String type = pem.group(1).strip();
            if (!type.endsWith("CERTIFICATE") || type.equals("CERTIFICATE REQUEST")
                    || type.equals("NEW CERTIFICATE REQUEST")) {
                otherBlocks.add(type);
                continue;
            }
            block++;
            try {
                byte[] der = Base64.getMimeDecoder().decode(pem.group(2).strip());
                found.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            } catch (IllegalArgumentException | CertificateException | ClassCastException e) {
                throw problem(caFile, "holds a certificate (block " + block + ", BEGIN " + type + ") that cannot be"
                        + " read (" + e.getMessage() + ")" + (type.equals("TRUSTED CERTIFICATE")
                        ? "; convert it with: openssl x509 -in FILE -out ca.pem" : ""), e);
            }
        }
        if (!anyPem) {
            // No PEM at all: perhaps DER, which the JDK's factory reads as it is.
            try {
                for (Certificate c : factory.generateCertificates(new ByteArrayInputStream(content))) {
                    if (c instanceof X509Certificate x) {
                        found.add(x);
                    }
                }
            } catch (CertificateException e) {
                // Neither PEM nor DER: said below.
            }
        }
        if (found.isEmpty()) {
            String holds = otherBlocks.isEmpty() ? "holds no certificate (no '-----BEGIN CERTIFICATE-----' block)"
                    : "holds " + describe(otherBlocks) + ", not a certificate";
            throw problem(caFile, holds, null);
        }
        return List.copyOf(found);
    }

    private static String describe(Set<String> blocks) {
        List<String> parts = new ArrayList<>();
        for (String type : blocks) {
            String what = type.contains("PRIVATE KEY") ? "a private key" : type.contains("PUBLIC KEY") ? "a public key"
                    : type.contains("REQUEST") ? "a certificate request" : "a '" + type + "' block";
            parts.add(what + " (BEGIN " + type + ")");
        }
        return String.join(" and ", parts);
    }

    private static ConfigurationProblem problem(String caFile, String what, Throwable cause) {
        return new ConfigurationProblem(CA_FILE, caFile, "the file " + what, FIX, cause);
    }

    private static X509TrustManager jdkTrustManager(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager in " + tmf.getAlgorithm());
    }

    private static String key(String host, int port) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return h.toLowerCase(Locale.ROOT) + ":" + port;
    }

    /**
     * Records each server's chain by host and port, then lets the JDK's trust manager decide. The
     * JDK's checks, including the host name check, run in the delegate: this class adds none and
     * skips none. Handshakes run on the HTTP client's threads, many at once: a concurrent map.
     */
    private static final class ChainRecorder extends X509ExtendedTrustManager {

        /** One entry per CSMS host and port (a site has one or two): bounded in practice, capped anyway. */
        private static final int MAX_SERVERS = 64;

        final ConcurrentHashMap<String, List<X509Certificate>> chains = new ConcurrentHashMap<>();
        private final X509ExtendedTrustManager delegate;

        ChainRecorder(X509ExtendedTrustManager delegate) {
            this.delegate = delegate;
        }

        private void record(String host, int port, X509Certificate[] chain) {
            if (host == null || chain == null) {
                return;
            }
            if (chains.size() >= MAX_SERVERS) {
                chains.clear();
            }
            chains.put(key(host, port), List.of(chain));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            if (engine != null) {
                record(engine.getPeerHost(), engine.getPeerPort(), chain);
            }
            delegate.checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            if (socket instanceof SSLSocket ssl && ssl.getHandshakeSession() != null) {
                SSLSession session = ssl.getHandshakeSession();
                record(session.getPeerHost(), session.getPeerPort(), chain);
            }
            delegate.checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate.checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            delegate.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            delegate.checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate.checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }
}
