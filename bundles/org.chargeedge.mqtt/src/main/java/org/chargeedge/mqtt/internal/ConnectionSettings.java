package org.chargeedge.mqtt.internal;

import java.time.Duration;

/**
 * The broker connection, free of OSGi.
 *
 * @param serverUri tcp://host:port or ssl://host:port; null when no broker is configured
 * @param tls CA and client certificate files for ssl://
 */
record ConnectionSettings(String serverUri, String username, String password, String clientId,
                          boolean cleanSession, String baseTopic, int keepAliveSeconds, Duration connectTimeout,
                          Duration minBackoff, Duration maxBackoff, TlsFiles tls) {

    ConnectionSettings {
        tls = tls == null ? TlsFiles.NONE : tls;
    }

    /** Without TLS files: the JVM's trust store, no client certificate. */
    ConnectionSettings(String serverUri, String username, String password, String clientId, boolean cleanSession,
                       String baseTopic, int keepAliveSeconds, Duration connectTimeout, Duration minBackoff,
                       Duration maxBackoff) {
        this(serverUri, username, password, clientId, cleanSession, baseTopic, keepAliveSeconds, connectTimeout,
                minBackoff, maxBackoff, TlsFiles.NONE);
    }

    /** Builds the URI from url (wins) or host, port and tls; null when neither url nor host is given. */
    static String serverUri(String url, String host, int port, boolean tls) {
        if (url != null && !url.isBlank()) {
            String u = url.strip();
            if (!u.startsWith("tcp://") && !u.startsWith("ssl://")) {
                throw new IllegalArgumentException("url must start with tcp:// or ssl://, not " + u);
            }
            return u;
        }
        if (host == null || host.isBlank()) {
            return null;
        }
        int p = port > 0 ? port : tls ? 8883 : 1883;
        return (tls ? "ssl://" : "tcp://") + host.strip() + ":" + p;
    }

    String statusTopic() {
        return baseTopic + "/status";
    }
}
