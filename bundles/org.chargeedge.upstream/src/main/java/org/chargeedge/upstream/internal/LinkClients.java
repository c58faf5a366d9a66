package org.chargeedge.upstream.internal;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.SSLContext;

import org.chargeedge.tls.TlsFileException;

/**
 * The {@code java.net.http} client each charger's link opens its WebSocket with. A client's TLS
 * context is fixed when it is built, so there is one client per context: one for the whole site
 * (no client certificate, or one for all chargers), or one per charger when each presents its own
 * certificate (its key manager could not tell the chargers' connections apart: they all go to
 * the same CSMS host). A client has a selector thread of its own: per-charger certificates cost a
 * thread per charger. When {@link Trust} reads a certificate again because its files changed,
 * the next attempt gets a new client; the old one ends with its last connection.
 */
final class LinkClients {

    /** A client and the context it was built with. */
    private record Built(SSLContext context, HttpClient client) {}

    private final Trust trust;
    private final Duration connectTimeout;
    private final HttpClient fixed;
    /** By charge point id, or "" for the site's. */
    private final ConcurrentHashMap<String, Built> clients = new ConcurrentHashMap<>();

    /** Clients with {@code trust}'s contexts, each with {@code connectTimeout} (the link's {@code callTimeout}). */
    LinkClients(Trust trust, Duration connectTimeout) {
        this.trust = trust;
        this.connectTimeout = connectTimeout;
        this.fixed = null;
    }

    private LinkClients(HttpClient fixed) {
        this.trust = null;
        this.connectTimeout = null;
        this.fixed = fixed;
    }

    /** Tests: every link connects with {@code http}. */
    static LinkClients of(HttpClient http) {
        return new LinkClients(http);
    }

    /**
     * The client for the charger's next connection attempt.
     *
     * @throws TlsFileException the client certificate files of the charger (or the site's, changed
     *                          since they were read) cannot be used
     */
    HttpClient client(String chargePointId) throws TlsFileException {
        if (fixed != null) {
            return fixed;
        }
        SSLContext context = trust.contextFor(chargePointId);
        String key = trust.clientCertificatePerCharger() ? chargePointId : "";
        return clients.compute(key, (k, built) -> built != null && built.context() == context ? built
                : new Built(context, HttpClient.newBuilder().sslContext(context).connectTimeout(connectTimeout)
                .build())).client();
    }
}
