package org.chargeedge.http.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.chargeedge.tls.FileStamp;
import org.chargeedge.tls.KeyMaterial;
import org.chargeedge.tls.TlsFileException;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells Felix HTTP (Jetty) where and how to listen, from this bundle's
 * configuration ({@code org.chargeedge.http}): it writes Felix's own
 * configuration {@code org.apache.felix.http}, which Jetty applies by
 * restarting its connector. Written only when it differs, so an unchanged
 * configuration never restarts Jetty.
 *
 * <p>HTTPS: the PEM certificate and key are read through
 * {@code org.chargeedge.tls} (every key form openssl writes, the pair checked)
 * and handed to Jetty as a PKCS#12 key store in {@code DATA/http/}, readable by
 * the gateway's user only. Its password is derived from the key material, so
 * the same files give the same configuration, and renewed files a new one.
 * Files that cannot be used are logged with their fix and nothing listens
 * (never a fallback to plain HTTP on a port meant for HTTPS).
 *
 * <p>Renewed certificates: every {@code certificateCheckSeconds} the files'
 * {@link FileStamp} is compared with the one taken when they were last read;
 * when they changed they are read again and, if usable, the key store is
 * rewritten and Felix's configuration updated (its password follows the key
 * material), so Jetty restarts its connector with the new certificate. New
 * files that cannot be used (a renewal half written, a wrong key) are logged
 * with {@link TlsFileException}'s words and the previous certificate stays
 * in service; the next change of the files is tried again.
 *
 * <p>Threads: DS (activate, modified, deactivate) and the certificate
 * watcher ({@code chargeedge-http-certificate}) both apply configurations;
 * the configuration in force and the stamp of its files are guarded by this
 * object's lock, so one of them applies at a time.
 *
 * <p>The launcher starts Jetty disabled (framework properties
 * {@code org.apache.felix.http.enable=false}), so nothing listens on Jetty's
 * default address before this configuration arrives.
 */
@Component(configurationPid = HttpConfig.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        immediate = true)
@Designate(ocd = HttpConfig.class)
public class HttpServer {

    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);
    static final String FELIX_PID = "org.apache.felix.http";
    /** Jetty's threads: acceptor, selector and workers; the API's calls to chargers wait without a thread. */
    static final int MAX_THREADS = 16;

    private final ConfigurationAdmin configurationAdmin;
    private final Path dataDir;
    private final ScheduledExecutorService watcher;
    /** Guarded by this: the configuration in force and the stamp of its certificate files (null without). */
    private HttpConfig config;
    private FileStamp stamp;
    private ScheduledFuture<?> check;
    /** Why the last renewed files were not put in service; null after a success. */
    private String certificateProblem;

    @Activate
    public HttpServer(@Reference ConfigurationAdmin configurationAdmin, BundleContext context, HttpConfig config)
            throws IOException {
        this(configurationAdmin, dataDir(context), config);
    }

    /** Outside the framework (tests). */
    HttpServer(ConfigurationAdmin configurationAdmin, Path dataDir, HttpConfig config) throws IOException {
        this.configurationAdmin = configurationAdmin;
        this.dataDir = dataDir;
        this.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "chargeedge-http-certificate");
            t.setDaemon(true);
            return t;
        });
        apply(config);
    }

    private static Path dataDir(BundleContext context) {
        String data = context.getProperty(Gatekeeper.DATA_DIR_PROPERTY);
        return data != null ? Path.of(data, "http") : context.getDataFile("").toPath();
    }

    @Modified
    void modified(HttpConfig config) throws IOException {
        apply(config);
    }

    @Deactivate
    void stop() {
        watcher.shutdownNow();
    }

    private synchronized void apply(HttpConfig config) throws IOException {
        this.config = config;
        List<Path> files = certificateFiles(config);
        this.stamp = files.isEmpty() ? null : FileStamp.of(files);
        this.certificateProblem = null;
        if (check != null) {
            check.cancel(false);
            check = null;
        }
        if (stamp != null) {
            long every = Math.max(1, config.certificateCheckSeconds());
            check = watcher.scheduleWithFixedDelay(this::checkCertificate, every, every, TimeUnit.SECONDS);
        }
        Dictionary<String, Object> wanted;
        try {
            wanted = felixProperties(config, dataDir);
        } catch (TlsFileException e) {
            certificateProblem = e.getMessage();
            LOG.error("HTTPS cannot start: {}. The HTTP API stays closed until this is fixed", e.getMessage());
            wanted = closed();
        } catch (GeneralSecurityException e) {
            LOG.error("HTTPS cannot start: the key store for Jetty cannot be made ({}). The HTTP API stays closed",
                    e.toString());
            wanted = closed();
        }
        if (update(wanted)) {
            LOG.info("HTTP API on {}://{}:{}", Boolean.TRUE.equals(wanted.get("org.apache.felix.https.enable"))
                    ? "https" : "http", config.host(), config.port());
        }
    }

    synchronized String certificateProblem() {
        return certificateProblem;
    }

    /** Hands {@code wanted} to Felix HTTP unless it has it already; whether it did. */
    private boolean update(Dictionary<String, Object> wanted) throws IOException {
        Configuration felix = configurationAdmin.getConfiguration(FELIX_PID, null);
        if (same(felix.getProperties(), wanted)) {
            return false;
        }
        felix.update(wanted);
        return true;
    }

    /** The certificate and key files of {@code config}; empty without HTTPS. */
    private static List<Path> certificateFiles(HttpConfig config) {
        if (config.certificateFile().isBlank()) {
            return List.of();
        }
        String keyFile = config.keyFile().isBlank() ? config.certificateFile() : config.keyFile();
        return List.of(Path.of(config.certificateFile()), Path.of(keyFile)).stream().distinct().toList();
    }

    /** On the watcher's thread: serves renewed certificate files, or keeps the previous ones when they are not usable. */
    synchronized void checkCertificate() {
        if (stamp == null || !stamp.changed()) {
            return;
        }
        // taken before reading: a change while reading shows at the next check
        stamp = FileStamp.of(stamp.files());
        try {
            if (update(felixProperties(config, dataDir))) {
                LOG.info("HTTPS: the certificate files {} changed: serving the renewed certificate", stamp.files());
            }
            certificateProblem = null;
        } catch (TlsFileException e) {
            certificateProblem = e.getMessage();
            LOG.error("HTTPS: the certificate files changed but cannot be used: {}. The previous certificate stays"
                    + " in service until the files are fixed", e.getMessage());
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            certificateProblem = e.toString();
            LOG.error("HTTPS: the renewed certificate cannot be put in service ({}). The previous certificate stays"
                    + " in service", e.toString());
        }
    }

    /** Felix HTTP's properties for {@code config}; the HTTPS key store written when a certificate is set. */
    static Dictionary<String, Object> felixProperties(HttpConfig config, Path dataDir)
            throws TlsFileException, GeneralSecurityException, IOException {
        if (config.port() < 1 || config.port() > 65535) {
            throw new IllegalArgumentException("port must be 1 to 65535, not " + config.port());
        }
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("org.apache.felix.http.host", config.host());
        p.put("org.apache.felix.http.jetty.sendServerHeader", false);
        p.put("org.apache.felix.http.jetty.threadpool.max", MAX_THREADS);
        p.put("org.apache.felix.http.name", "ChargeEdge");
        List<Path> files = certificateFiles(config);
        if (!files.isEmpty()) {
            KeyMaterial material = KeyMaterial.load(files.get(0), files.get(files.size() - 1));
            String password = password(material);
            Path store = writeKeyStore(material, password, dataDir.resolve("https.p12"));
            p.put("org.apache.felix.http.enable", false);
            p.put("org.apache.felix.https.enable", true);
            p.put("org.osgi.service.http.port.secure", config.port());
            p.put("org.apache.felix.https.keystore", store.toString());
            p.put("org.apache.felix.https.keystore.password", password);
            p.put("org.apache.felix.https.keystore.key.password", password);
        } else {
            p.put("org.apache.felix.http.enable", true);
            p.put("org.apache.felix.https.enable", false);
            p.put("org.osgi.service.http.port", config.port());
        }
        return p;
    }

    private static Dictionary<String, Object> closed() {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("org.apache.felix.http.enable", false);
        p.put("org.apache.felix.https.enable", false);
        return p;
    }

    private static String password(KeyMaterial material) throws GeneralSecurityException {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (Certificate c : material.chain()) {
            sha.update(c.getEncoded());
        }
        sha.update(material.privateKey().getEncoded());
        return HexFormat.of().formatHex(sha.digest());
    }

    private static Path writeKeyStore(KeyMaterial material, String password, Path file)
            throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("chargeedge", material.privateKey(), password.toCharArray(),
                material.chain().toArray(new Certificate[0]));
        Files.createDirectories(file.getParent());
        Path temporary = file.resolveSibling(file.getFileName() + ".new");
        Files.deleteIfExists(temporary);
        Files.createFile(temporary);
        try {
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
        try (OutputStream out = Files.newOutputStream(temporary)) {
            store.store(out, password.toCharArray());
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return file;
    }

    /** Whether the configuration has these properties already (ignoring Configuration Admin's own). */
    static boolean same(Dictionary<String, Object> current, Dictionary<String, Object> wanted) {
        if (current == null) {
            return false;
        }
        Map<String, Object> a = new java.util.HashMap<>();
        for (Enumeration<String> keys = current.keys(); keys.hasMoreElements(); ) {
            String k = keys.nextElement();
            if (!k.startsWith("service.") && !k.startsWith("felix.")) {
                a.put(k, current.get(k));
            }
        }
        if (a.size() != wanted.size()) {
            return false;
        }
        for (Enumeration<String> keys = wanted.keys(); keys.hasMoreElements(); ) {
            String k = keys.nextElement();
            if (!Objects.equals(String.valueOf(a.get(k)), String.valueOf(wanted.get(k)))) {
                return false;
            }
        }
        return true;
    }
}
