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
import java.util.Map;
import java.util.Objects;

import org.chargeedge.tls.KeyMaterial;
import org.chargeedge.tls.TlsFileException;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
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

    @Activate
    public HttpServer(@Reference ConfigurationAdmin configurationAdmin, BundleContext context, HttpConfig config)
            throws IOException {
        this.configurationAdmin = configurationAdmin;
        String data = context.getProperty(Gatekeeper.DATA_DIR_PROPERTY);
        this.dataDir = data != null ? Path.of(data, "http") : context.getDataFile("").toPath();
        apply(config);
    }

    @Modified
    void modified(HttpConfig config) throws IOException {
        apply(config);
    }

    private void apply(HttpConfig config) throws IOException {
        Dictionary<String, Object> wanted;
        try {
            wanted = felixProperties(config, dataDir);
        } catch (TlsFileException e) {
            LOG.error("HTTPS cannot start: {}. The HTTP API stays closed until this is fixed", e.getMessage());
            wanted = closed();
        } catch (GeneralSecurityException e) {
            LOG.error("HTTPS cannot start: the key store for Jetty cannot be made ({}). The HTTP API stays closed",
                    e.toString());
            wanted = closed();
        }
        Configuration felix = configurationAdmin.getConfiguration(FELIX_PID, null);
        if (!same(felix.getProperties(), wanted)) {
            felix.update(wanted);
            LOG.info("HTTP API on {}://{}:{}", Boolean.TRUE.equals(wanted.get("org.apache.felix.https.enable"))
                    ? "https" : "http", config.host(), config.port());
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
        boolean https = !config.certificateFile().isBlank();
        if (https) {
            String keyFile = config.keyFile().isBlank() ? config.certificateFile() : config.keyFile();
            KeyMaterial material = KeyMaterial.load(Path.of(config.certificateFile()), Path.of(keyFile));
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
