package org.chargeedge.upstream.internal;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The link's settings as values: from {@link Config} in the framework, built directly in tests.
 *
 * @param url the CSMS URL; the charge point id is appended or replaces {@code {chargePointId}}
 * @param chargerPasswords per-charger passwords, winning over {@code password}
 * @param replayRatePerSecond 0 for no limit
 */
record Settings(String url, String username, String password, Map<String, String> chargerPasswords, String caFile,
                Duration reconnectMin, Duration reconnectMax, Duration authorizeTimeout,
                Duration startTransactionTimeout, Duration callTimeout, int replayRatePerSecond, int maxRetries,
                Duration retryInterval, boolean stopTransactionOnInvalidId) {

    static final String ID_PLACEHOLDER = "{chargePointId}";

    Settings {
        chargerPasswords = Map.copyOf(chargerPasswords);
    }

    static Settings from(Config c) {
        Map<String, String> passwords = new HashMap<>();
        for (String pair : c.chargerPasswords().split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                passwords.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
            }
        }
        return new Settings(c.url().strip(), c.username(), c.password(), passwords, c.caFile(),
                Duration.ofMillis(c.reconnectMinMillis()), Duration.ofMillis(c.reconnectMaxMillis()),
                Duration.ofMillis(c.authorizeTimeoutMillis()), Duration.ofMillis(c.startTransactionTimeoutMillis()),
                Duration.ofMillis(c.callTimeoutMillis()), c.replayRatePerSecond(), c.maxRetries(),
                Duration.ofMillis(c.retryIntervalMillis()), c.stopTransactionOnInvalidId());
    }

    /** Tests: a link to {@code url} with short timeouts and no rate limit. */
    static Settings forTest(String url) {
        return new Settings(url, "", "", Map.of(), "", Duration.ofMillis(50), Duration.ofMillis(500),
                Duration.ofMillis(1000), Duration.ofMillis(1000), Duration.ofMillis(3000), 0, 2,
                Duration.ofMillis(50), true);
    }

    Settings withPasswords(String password, Map<String, String> perCharger) {
        return new Settings(url, username, password, perCharger, caFile, reconnectMin, reconnectMax,
                authorizeTimeout, startTransactionTimeout, callTimeout, replayRatePerSecond, maxRetries,
                retryInterval, stopTransactionOnInvalidId);
    }

    Settings withReplayRate(int perSecond) {
        return new Settings(url, username, password, chargerPasswords, caFile, reconnectMin, reconnectMax,
                authorizeTimeout, startTransactionTimeout, callTimeout, perSecond, maxRetries, retryInterval,
                stopTransactionOnInvalidId);
    }

    Settings withRetries(int retries, Duration interval) {
        return new Settings(url, username, password, chargerPasswords, caFile, reconnectMin, reconnectMax,
                authorizeTimeout, startTransactionTimeout, callTimeout, replayRatePerSecond, retries, interval,
                stopTransactionOnInvalidId);
    }

    boolean standalone() {
        return url.isEmpty();
    }

    /** The charger's URL upstream (charge point ids are URL safe: the central system refuses others). */
    URI uri(String chargePointId) {
        if (url.contains(ID_PLACEHOLDER)) {
            return URI.create(url.replace(ID_PLACEHOLDER, chargePointId));
        }
        return URI.create(url.endsWith("/") ? url + chargePointId : url + "/" + chargePointId);
    }

    /** The Authorization header for the charger, when a password is configured for it. */
    Optional<String> authorization(String chargePointId) {
        String pw = chargerPasswords.getOrDefault(chargePointId, password);
        if (pw == null || pw.isEmpty()) {
            return Optional.empty();
        }
        String user = username.isEmpty() ? chargePointId : username;
        return Optional.of("Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + pw).getBytes(StandardCharsets.UTF_8)));
    }

    /** The delay before reconnect attempt {@code attempt} (1 = first): exponential, capped, with jitter. */
    Duration backoff(int attempt, double random) {
        long min = reconnectMin.toMillis();
        long cap = reconnectMax.toMillis();
        long exp = attempt >= 31 ? cap : Math.min(cap, min << Math.max(0, attempt - 1));
        // Half fixed, half random: chargers reconnecting after one outage spread out instead of arriving together.
        return Duration.ofMillis(exp / 2 + (long) (random * (exp / 2.0)));
    }
}
