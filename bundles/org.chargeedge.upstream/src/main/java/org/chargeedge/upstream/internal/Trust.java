package org.chargeedge.upstream.internal;

import java.net.Socket;
import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

import org.chargeedge.tls.FileStamp;
import org.chargeedge.tls.KeyMaterial;
import org.chargeedge.tls.TlsFileException;
import org.chargeedge.tls.TrustMaterial;

/**
 * The link's TLS material for {@code wss://}: what it trusts (the JDK's trust store plus the CA
 * certificates of {@code caFile}, PEM or DER), the client certificate it presents (OCPP security
 * profile 3: {@code clientCertificateFile} and {@code clientKeyFile}, one for the site or one per
 * charger), and the TLS contexts built from them. The files are read by {@code org.chargeedge.tls}.
 *
 * <p>A {@code caFile}, or a client certificate for the whole site, that is missing, unreadable,
 * empty or holds the wrong thing (a private key for a certificate, a key of another certificate)
 * is a {@link ConfigurationProblem} naming the key, the file and the fix, never an exception from
 * deep inside the JDK. Per-charger client certificates are read when the charger's link connects:
 * a problem there fails that charger's attempt ({@link LinkProblem.Kind#CLIENT_CERTIFICATE_FILE}).
 * Client certificate files are looked at ({@link FileStamp}) before every connection attempt and
 * read again when they changed: a renewed certificate is used from the next connection on, without
 * a restart.
 *
 * <p>The trust manager records the certificate chain each server presented, by host and port,
 * before it checks it: when a handshake fails, {@link LinkProblem} can then say which names the
 * certificate has, when it expires and who issued it. Checking is left entirely to the JDK's
 * trust manager (path building, validity, and the host name check the HTTP client asks for).
 */
final class Trust {

    static final String CA_FILE = "caFile";
    static final String CLIENT_CERTIFICATE_FILE = "clientCertificateFile";
    static final String CLIENT_KEY_FILE = "clientKeyFile";
    private static final String FIX = "set caFile to a PEM file holding the certificate of the CA that signed the"
            + " CSMS's certificate (blocks '-----BEGIN CERTIFICATE-----'; the CSMS operator provides it), or leave"
            + " caFile empty when the CSMS's certificate is signed by a public CA";
    private static final String CLIENT_FIX = "set " + CLIENT_CERTIFICATE_FILE + " to the PEM certificate the CSMS"
            + " operator issued for the gateway, and " + CLIENT_KEY_FILE + " to its private key";

    private final SSLContext context;
    private final List<X509Certificate> caCertificates;
    private final ChainRecorder recorder;
    /** The client certificates; null without one. */
    private final ClientCertificates client;

    private Trust(SSLContext context, List<X509Certificate> caCertificates, ChainRecorder recorder,
                  ClientCertificates client) {
        this.context = context;
        this.caCertificates = caCertificates;
        this.recorder = recorder;
        this.client = client;
    }

    /**
     * The JDK's trust store plus the CA certificates of {@code caFile} (none when it is empty),
     * with the chain-recording trust manager, and no client certificate.
     *
     * @throws ConfigurationProblem when {@code caFile} is set but cannot be used
     */
    static Trust load(String caFile) throws ConfigurationProblem {
        return load(caFile, "", "");
    }

    /** The trust and the client certificate of the settings. */
    static Trust of(Settings settings) throws ConfigurationProblem {
        return load(settings.caFile(), settings.clientCertificateFile(), settings.clientKeyFile());
    }

    /**
     * @param certificateFile the client certificate's PEM file, {@value Settings#ID_PLACEHOLDER} in
     *                        the name for one per charger; empty for none
     * @param keyFile its private key's file
     * @throws ConfigurationProblem when {@code caFile}, or the site's client certificate, cannot be used
     */
    static Trust load(String caFile, String certificateFile, String keyFile) throws ConfigurationProblem {
        TrustMaterial trust = caFile == null || caFile.isBlank() ? TrustMaterial.jdkDefault() : readCaFile(caFile);
        ChainRecorder recorder = new ChainRecorder(trust.trustManager());
        ClientCertificates client = null;
        SSLContext site;
        if (certificateFile == null || certificateFile.isBlank()) {
            site = context(null, recorder);
        } else {
            client = new ClientCertificates(certificateFile.strip(), keyFile.strip(), recorder);
            site = client.perCharger ? context(null, recorder) : client.loadSite();
        }
        return new Trust(site, trust.certificates(), recorder, client);
    }

    /**
     * What {@code UpstreamComponent.sslContext} did: the JDK's trust store plus {@code caFile}'s
     * CA certificates; errors in {@code caFile} as a {@link ConfigurationProblem}.
     */
    static SSLContext sslContext(String caFile) throws ConfigurationProblem {
        return load(caFile).sslContext();
    }

    /** The site's context: with the site's client certificate, if there is one for the whole site. */
    SSLContext sslContext() {
        return context;
    }

    /**
     * The context for the charger's next connection attempt: the site's, or with the charger's own
     * client certificate; read again when the certificate's files changed since they were read.
     * The same instance as long as nothing changed.
     *
     * @throws TlsFileException the client certificate files (of the charger, or the site's, changed
     *                          since the start) cannot be used
     */
    SSLContext contextFor(String chargePointId) throws TlsFileException {
        return client == null ? context : client.current(chargePointId).context();
    }

    /** Whether each charger presents a certificate of its own (and so needs a context of its own). */
    boolean clientCertificatePerCharger() {
        return client != null && client.perCharger;
    }

    /** The client certificate the gateway last read for the charger (the site's, when it is one for all). */
    Optional<X509Certificate> clientCertificate(String chargePointId) {
        if (client == null) {
            return Optional.empty();
        }
        ClientCertificates.Loaded loaded = client.loaded.get(client.perCharger ? chargePointId : "");
        return loaded == null ? Optional.empty() : Optional.of(loaded.keys().certificate());
    }

    /**
     * The CAs the server at the URI's host and port named when it asked for a client certificate
     * within {@code within} (distinguished names; empty when it named none, which means any);
     * empty when it did not ask in that time. A CSMS that requires a client certificate asks in
     * every handshake (OCPP security profile 3), and the JDK consults the key manager for it:
     * even a connection that the CSMS then drops without a readable alert shows that it asked.
     */
    Optional<List<String>> clientCertificateRequest(URI uri, Duration within) {
        if (uri.getHost() == null) {
            return Optional.empty();
        }
        int port = uri.getPort() != -1 ? uri.getPort() : "ws".equalsIgnoreCase(uri.getScheme()) ? 80 : 443;
        ChainRecorder.Request request = recorder.requests.get(key(uri.getHost(), port));
        if (request == null || System.nanoTime() - request.atNanos() > within.toNanos()) {
            return Optional.empty();
        }
        return Optional.of(request.issuers());
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
        if (uri.getHost() == null) {
            return List.of();
        }
        int port = uri.getPort() != -1 ? uri.getPort() : "ws".equalsIgnoreCase(uri.getScheme()) ? 80 : 443;
        return recorder.chains.getOrDefault(key(uri.getHost(), port), List.of());
    }

    /**
     * The CA certificates of {@code caFile} (every certificate block of a PEM file, or the
     * certificates of a DER or PKCS#7 file) on top of the JDK's trust store.
     *
     * @throws ConfigurationProblem when the file is missing, unreadable, empty, or holds none
     */
    static TrustMaterial readCaFile(String caFile) throws ConfigurationProblem {
        try {
            return TrustMaterial.load(path(CA_FILE, caFile, FIX), true);
        } catch (TlsFileException e) {
            String fix = e.reason() == TlsFileException.Reason.UNREADABLE ? e.fix() + "; or " + FIX : FIX;
            throw new ConfigurationProblem(CA_FILE, caFile, e.problem(), fix, e);
        }
    }

    /**
     * The client certificate and its key, checked to belong together.
     *
     * @throws ConfigurationProblem naming {@code clientCertificateFile} or {@code clientKeyFile},
     *                              whichever file is wrong
     */
    static KeyMaterial readClientCertificate(String certificateFile, String keyFile) throws ConfigurationProblem {
        Path certificate = path(CLIENT_CERTIFICATE_FILE, certificateFile, CLIENT_FIX);
        Path key = path(CLIENT_KEY_FILE, keyFile, CLIENT_FIX);
        try {
            return KeyMaterial.load(certificate, key);
        } catch (TlsFileException e) {
            boolean keyProblem = !certificate.equals(key) ? e.file().equals(key)
                    : e.reason() != TlsFileException.Reason.NO_CERTIFICATE;
            throw new ConfigurationProblem(keyProblem ? CLIENT_KEY_FILE : CLIENT_CERTIFICATE_FILE,
                    keyProblem ? keyFile : certificateFile, e.problem(), e.fix(), e);
        }
    }

    private static Path path(String key, String value, String fix) throws ConfigurationProblem {
        try {
            return Path.of(value.strip());
        } catch (InvalidPathException e) {
            throw new ConfigurationProblem(key, value, "the file is not a valid file name (" + e.getReason() + ")",
                    fix, e);
        }
    }

    /**
     * A TLS context trusting what {@code recorder} trusts, presenting {@code keys} (none: null),
     * recording what each server shows and asks for.
     */
    private static SSLContext context(KeyMaterial keys, ChainRecorder recorder) {
        try {
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(new KeyManager[] {new RequestRecorder(keys == null ? null : keys.keyManager(), recorder)},
                    new TrustManager[] {recorder}, null);
            return ssl;
        } catch (GeneralSecurityException e) {
            // The JDK's TLS provider is broken: not something the configuration can fix.
            throw new IllegalStateException("the JDK's TLS setup cannot be loaded: " + e, e);
        }
    }

    private static String key(String host, int port) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return h.toLowerCase(Locale.ROOT) + ":" + port;
    }

    /**
     * The client certificate of the links, read again when its files change: one for the site
     * (read at the start, where its problems are configuration problems), or one per charger
     * (read when the charger's link first connects). Links connect on many threads at once: a
     * concurrent map; two threads reading the same changed files at once both get a good context.
     */
    private static final class ClientCertificates {

        /** What was read, the stamp of the files taken before, and the context presenting it. */
        record Loaded(FileStamp stamp, KeyMaterial keys, SSLContext context) {}

        final String certificateFile;
        final String keyFile;
        final boolean perCharger;
        final ChainRecorder trust;
        /** By charge point id; the site's under "". */
        final ConcurrentHashMap<String, Loaded> loaded = new ConcurrentHashMap<>();

        ClientCertificates(String certificateFile, String keyFile, ChainRecorder trust) {
            this.certificateFile = certificateFile;
            this.keyFile = keyFile;
            this.perCharger = certificateFile.contains(Settings.ID_PLACEHOLDER);
            this.trust = trust;
        }

        /** The site's certificate, read now; its problems are the configuration's. */
        SSLContext loadSite() throws ConfigurationProblem {
            FileStamp stamp = FileStamp.of(path(CLIENT_CERTIFICATE_FILE, certificateFile, CLIENT_FIX),
                    path(CLIENT_KEY_FILE, keyFile, CLIENT_FIX));
            KeyMaterial keys = readClientCertificate(certificateFile, keyFile);
            Loaded site = new Loaded(stamp, keys, context(keys, trust));
            loaded.put("", site);
            return site.context();
        }

        Loaded current(String chargePointId) throws TlsFileException {
            String id = perCharger ? chargePointId : "";
            Loaded last = loaded.get(id);
            if (last != null && !last.stamp().changed()) {
                return last;
            }
            Path certificate = Path.of(certificateFile.replace(Settings.ID_PLACEHOLDER, chargePointId));
            Path key = Path.of(keyFile.replace(Settings.ID_PLACEHOLDER, chargePointId));
            FileStamp stamp = FileStamp.of(certificate, key);
            KeyMaterial keys = KeyMaterial.load(certificate, key);
            Loaded fresh = new Loaded(stamp, keys, context(keys, trust));
            loaded.put(id, fresh);
            return fresh;
        }
    }

    /**
     * Records each server's chain by host and port, then lets the JDK's trust manager decide. The
     * JDK's checks, including the host name check, run in the delegate: this class adds none and
     * skips none. Handshakes run on the HTTP client's threads, many at once: a concurrent map.
     */
    private static final class ChainRecorder extends X509ExtendedTrustManager {

        /** One entry per CSMS host and port (a site has one or two): bounded in practice, capped anyway. */
        private static final int MAX_SERVERS = 64;

        /** A server's request for a client certificate: the CAs it named, and when ({@link System#nanoTime}). */
        record Request(List<String> issuers, long atNanos) {}

        final ConcurrentHashMap<String, List<X509Certificate>> chains = new ConcurrentHashMap<>();
        /** Filled by the contexts' {@link RequestRecorder}s. */
        final ConcurrentHashMap<String, Request> requests = new ConcurrentHashMap<>();
        private final X509ExtendedTrustManager delegate;

        ChainRecorder(X509ExtendedTrustManager delegate) {
            this.delegate = delegate;
        }

        void requested(String host, int port, Principal[] issuers) {
            if (host == null) {
                return;
            }
            if (requests.size() >= MAX_SERVERS) {
                requests.clear();
            }
            List<String> names = new ArrayList<>();
            if (issuers != null) {
                for (Principal p : issuers) {
                    names.add(p.getName());
                }
            }
            requests.put(key(host, port), new Request(List.copyOf(names), System.nanoTime()));
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

    /**
     * The key manager of the link's contexts: notes that a server asked for a client certificate
     * (and which CAs it named) in {@link ChainRecorder#requests}, then answers with the configured
     * certificate ({@link KeyMaterial#keyManager()}: offered whatever CAs the server names), or with
     * none. Client side only.
     */
    private static final class RequestRecorder extends X509ExtendedKeyManager {

        private final X509ExtendedKeyManager delegate;
        private final ChainRecorder recorder;

        RequestRecorder(X509ExtendedKeyManager delegate, ChainRecorder recorder) {
            this.delegate = delegate;
            this.recorder = recorder;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            if (engine != null) {
                recorder.requested(engine.getPeerHost(), engine.getPeerPort(), issuers);
            }
            return delegate == null ? null : delegate.chooseEngineClientAlias(keyType, issuers, engine);
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            if (socket instanceof SSLSocket ssl && ssl.getHandshakeSession() != null) {
                recorder.requested(ssl.getHandshakeSession().getPeerHost(), ssl.getHandshakeSession().getPeerPort(),
                        issuers);
            }
            return delegate == null ? null : delegate.chooseClientAlias(keyType, issuers, socket);
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return delegate == null ? null : delegate.getClientAliases(keyType, issuers);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return delegate == null ? null : delegate.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return delegate == null ? null : delegate.getPrivateKey(alias);
        }
    }
}
