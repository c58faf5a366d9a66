package org.chargeedge.mqtt.internal;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;

/**
 * A real MQTT broker (Moquette) in the test JVM, on a free port; can be
 * stopped and started again on that port. Public for the gateway's site
 * run in run/ (SiteOnWires), which takes it from this bundle's test jar. With a PKCS#12 key store it also
 * listens for TLS, and with client authentication trusts the store's CA.
 */
public final class EmbeddedBroker implements AutoCloseable {

    private final int port;
    private final int sslPort;
    private final Path keyStore;
    private final boolean needClientAuth;
    private final Path data;
    private Server server;

    public EmbeddedBroker() throws IOException {
        this(null, false);
    }

    public EmbeddedBroker(Path keyStore, boolean needClientAuth) throws IOException {
        port = freePort();
        sslPort = keyStore == null ? 0 : freePort();
        this.keyStore = keyStore;
        this.needClientAuth = needClientAuth;
        data = Files.createTempDirectory("moquette");
        start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public synchronized void start() throws IOException {
        Properties p = new Properties();
        p.setProperty("host", "127.0.0.1");
        p.setProperty("port", String.valueOf(port));
        p.setProperty("websocket_port", "disabled");
        p.setProperty("allow_anonymous", "true");
        p.setProperty("persistence_enabled", "false");
        p.setProperty("data_path", data.toString());
        p.setProperty("immediate_buffer_flush", "true");
        p.setProperty("telemetry_enabled", "false");
        p.setProperty("use_metrics", "false");
        p.setProperty("use_bugsnag", "false");
        p.setProperty("netty.mqtt.message_size", "65536");
        if (keyStore != null) {
            p.setProperty("ssl_port", String.valueOf(sslPort));
            p.setProperty("jks_path", keyStore.toString());
            p.setProperty("key_store_type", "pkcs12");
            p.setProperty("key_store_password", "changeit");
            p.setProperty("key_manager_password", "changeit");
            p.setProperty("need_client_auth", String.valueOf(needClientAuth));
        }
        server = new Server();
        server.startServer(new MemoryConfig(p));
    }

    public synchronized void stop() {
        if (server != null) {
            server.stopServer();
            server = null;
        }
    }

    public int port() {
        return port;
    }

    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    public String sslUrl() {
        return "ssl://127.0.0.1:" + sslPort;
    }

    @Override
    public void close() {
        stop();
    }
}
