package org.chargeedge.mqtt.internal;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;

/** A real MQTT broker (Moquette) in the test JVM, on a free port; can be stopped and started again on that port. */
final class EmbeddedBroker implements AutoCloseable {

    private final int port;
    private final Path data;
    private Server server;

    EmbeddedBroker() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        data = Files.createTempDirectory("moquette");
        start();
    }

    synchronized void start() throws IOException {
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
        server = new Server();
        server.startServer(new MemoryConfig(p));
    }

    synchronized void stop() {
        if (server != null) {
            server.stopServer();
            server = null;
        }
    }

    int port() {
        return port;
    }

    String url() {
        return "tcp://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        stop();
    }
}
