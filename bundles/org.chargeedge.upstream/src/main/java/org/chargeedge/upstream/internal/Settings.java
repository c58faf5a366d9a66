package org.chargeedge.upstream.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The link's settings as values: from {@link Config} in the framework, built directly in tests.
 *
 * @param url the CSMS URL; the charge point id is appended or replaces {@code {chargePointId}}
 * @param chargerPasswords per-charger passwords, winning over {@code password}
 * @param replayRatePerSecond 0 for no limit
 * @param passwordEntryProblems the {@code chargerPasswords} entries {@link #from} could not read
 *                              (no {@code =}, no charge point id); see {@link #problems()}
 * @param pingInterval silence after which the link pings the CSMS, and gives up after twice as much;
 *                     zero: no pings
 * @param clientCertificateFile PEM with the gateway's client certificate for {@code wss://} (OCPP
 *                              security profile 3); with {@value #ID_PLACEHOLDER}, one file per charger;
 *                              empty for none
 * @param clientKeyFile PEM with the private key of {@code clientCertificateFile}
 */
record Settings(String url, String username, String password, Map<String, String> chargerPasswords, String caFile,
                Duration reconnectMin, Duration reconnectMax, Duration authorizeTimeout,
                Duration startTransactionTimeout, Duration callTimeout, int replayRatePerSecond, int maxRetries,
                Duration retryInterval, boolean stopTransactionOnInvalidId,
                List<ConfigurationProblem> passwordEntryProblems, Duration pingInterval,
                String clientCertificateFile, String clientKeyFile) {

    static final String ID_PLACEHOLDER = "{chargePointId}";
    static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(30);
    /** What the gateway's central system accepts as a charge point id: URL safe, at most 48 characters. */
    private static final Pattern CHARGE_POINT_ID = Pattern.compile("[A-Za-z0-9._~-]{1,48}");

    Settings {
        chargerPasswords = Map.copyOf(chargerPasswords);
        passwordEntryProblems = List.copyOf(passwordEntryProblems);
        clientCertificateFile = clientCertificateFile == null ? "" : clientCertificateFile.strip();
        clientKeyFile = clientKeyFile == null ? "" : clientKeyFile.strip();
    }

    Settings(String url, String username, String password, Map<String, String> chargerPasswords, String caFile,
             Duration reconnectMin, Duration reconnectMax, Duration authorizeTimeout,
             Duration startTransactionTimeout, Duration callTimeout, int replayRatePerSecond, int maxRetries,
             Duration retryInterval, boolean stopTransactionOnInvalidId) {
        this(url, username, password, chargerPasswords, caFile, reconnectMin, reconnectMax, authorizeTimeout,
                startTransactionTimeout, callTimeout, replayRatePerSecond, maxRetries, retryInterval,
                stopTransactionOnInvalidId, List.of(), DEFAULT_PING_INTERVAL, "", "");
    }

    static Settings from(Config c) {
        Map<String, String> passwords = new HashMap<>();
        List<ConfigurationProblem> unreadable = new ArrayList<>();
        String[] entries = c.chargerPasswords().split(",");
        for (int i = 0; i < entries.length; i++) {
            String pair = entries[i];
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq > 0 && !pair.substring(0, eq).isBlank()) {
                passwords.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
            } else {
                // The entry may be a password alone: it is never shown.
                unreadable.add(new ConfigurationProblem("chargerPasswords", "entry " + (i + 1) + " (not shown)",
                        eq < 0 ? "entry " + (i + 1) + " has no '='" : "entry " + (i + 1) + " names no charger",
                        "write each entry as CHARGER=PASSWORD, entries separated by commas (CP-1=secret1,CP-2="
                                + "secret2); for the same password for every charger, use password"));
            }
        }
        return new Settings(c.url().strip(), c.username(), c.password(), passwords, c.caFile(),
                Duration.ofMillis(c.reconnectMinMillis()), Duration.ofMillis(c.reconnectMaxMillis()),
                Duration.ofMillis(c.authorizeTimeoutMillis()), Duration.ofMillis(c.startTransactionTimeoutMillis()),
                Duration.ofMillis(c.callTimeoutMillis()), c.replayRatePerSecond(), c.maxRetries(),
                Duration.ofMillis(c.retryIntervalMillis()), c.stopTransactionOnInvalidId(), unreadable,
                Duration.ofMillis(c.pingIntervalMillis()), c.clientCertificateFile(), c.clientKeyFile());
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
                retryInterval, stopTransactionOnInvalidId, passwordEntryProblems, pingInterval, clientCertificateFile,
                clientKeyFile);
    }

    Settings withReplayRate(int perSecond) {
        return new Settings(url, username, password, chargerPasswords, caFile, reconnectMin, reconnectMax,
                authorizeTimeout, startTransactionTimeout, callTimeout, perSecond, maxRetries, retryInterval,
                stopTransactionOnInvalidId, passwordEntryProblems, pingInterval, clientCertificateFile,
                clientKeyFile);
    }

    Settings withRetries(int retries, Duration interval) {
        return new Settings(url, username, password, chargerPasswords, caFile, reconnectMin, reconnectMax,
                authorizeTimeout, startTransactionTimeout, callTimeout, replayRatePerSecond, retries, interval,
                stopTransactionOnInvalidId, passwordEntryProblems, pingInterval, clientCertificateFile,
                clientKeyFile);
    }

    Settings withTimeouts(Duration call, Duration startTransaction) {
        return new Settings(url, username, password, chargerPasswords, caFile, reconnectMin, reconnectMax,
                authorizeTimeout, startTransaction, call, replayRatePerSecond, maxRetries, retryInterval,
                stopTransactionOnInvalidId, passwordEntryProblems, pingInterval, clientCertificateFile,
                clientKeyFile);
    }

    Settings withPingInterval(Duration interval) {
        return new Settings(url, username, password, chargerPasswords, caFile, reconnectMin, reconnectMax,
                authorizeTimeout, startTransactionTimeout, callTimeout, replayRatePerSecond, maxRetries,
                retryInterval, stopTransactionOnInvalidId, passwordEntryProblems, interval, clientCertificateFile,
                clientKeyFile);
    }

    Settings withCaFile(String file) {
        return new Settings(url, username, password, chargerPasswords, file, reconnectMin, reconnectMax,
                authorizeTimeout, startTransactionTimeout, callTimeout, replayRatePerSecond, maxRetries,
                retryInterval, stopTransactionOnInvalidId, passwordEntryProblems, pingInterval, clientCertificateFile,
                clientKeyFile);
    }

    Settings withClientCertificate(String certificateFile, String keyFile) {
        return new Settings(url, username, password, chargerPasswords, caFile, reconnectMin, reconnectMax,
                authorizeTimeout, startTransactionTimeout, callTimeout, replayRatePerSecond, maxRetries,
                retryInterval, stopTransactionOnInvalidId, passwordEntryProblems, pingInterval, certificateFile,
                keyFile);
    }

    /**
     * What in the configuration keeps the link from working, each with its key and fix; empty when
     * the link can start. Standalone (no URL) is not a problem. Reads {@code caFile}.
     */
    List<ConfigurationProblem> problems() {
        List<ConfigurationProblem> problems = new ArrayList<>();
        if (!standalone()) {
            urlProblem().ifPresent(problems::add);
        }
        problems.addAll(passwordEntryProblems);
        chargerPasswords.keySet().stream().sorted().filter(id -> !CHARGE_POINT_ID.matcher(id).matches())
                .forEach(id -> problems.add(new ConfigurationProblem("chargerPasswords", id + "=***", "'" + id
                        + "' is not a valid charge point id (allowed are letters, digits and - . _ ~, at most 48"
                        + " characters)", "write the charger's id exactly as it connects to the gateway, as in"
                        + " CP-1=secret1")));
        if (caFile != null && !caFile.isBlank()) {
            try {
                Trust.readCaFile(caFile);
            } catch (ConfigurationProblem p) {
                problems.add(p);
            }
        }
        clientCertificateProblem().ifPresent(problems::add);
        return problems;
    }

    /** Whether the link presents a client certificate (both files are set: see {@link #problems()}). */
    boolean hasClientCertificate() {
        return !clientCertificateFile.isEmpty() && !clientKeyFile.isEmpty();
    }

    /** Whether each charger has its own client certificate: {@value #ID_PLACEHOLDER} in the file names. */
    boolean clientCertificatePerCharger() {
        return clientCertificateFile.contains(ID_PLACEHOLDER);
    }

    /**
     * The client certificate's files: both set or both empty, {@value #ID_PLACEHOLDER} in both names
     * or in neither, {@code wss://}; one certificate for the site is read now (and its key checked
     * against it), per-charger files when each charger's link connects.
     */
    private Optional<ConfigurationProblem> clientCertificateProblem() {
        String cert = Trust.CLIENT_CERTIFICATE_FILE;
        String key = Trust.CLIENT_KEY_FILE;
        if (clientCertificateFile.isEmpty() && clientKeyFile.isEmpty()) {
            return Optional.empty();
        }
        String both = "set both " + cert + " (the PEM certificate the CSMS operator issued for the gateway) and "
                + key + " (its private key), or neither";
        if (clientKeyFile.isEmpty()) {
            return Optional.of(new ConfigurationProblem(key, "", key + " is empty, but " + cert + " is set", both));
        }
        if (clientCertificateFile.isEmpty()) {
            return Optional.of(new ConfigurationProblem(cert, "", cert + " is empty, but " + key + " is set", both));
        }
        if (clientCertificatePerCharger() != clientKeyFile.contains(ID_PLACEHOLDER)) {
            String without = clientCertificatePerCharger() ? key : cert;
            return Optional.of(new ConfigurationProblem(without, without.equals(key) ? clientKeyFile
                    : clientCertificateFile, "only one of " + cert + " and " + key + " has " + ID_PLACEHOLDER,
                    "for one certificate per charger write " + ID_PLACEHOLDER + " in both names (as in /etc/chargeedge/"
                            + "upstream/" + ID_PLACEHOLDER + ".crt and /etc/chargeedge/upstream/" + ID_PLACEHOLDER
                            + ".key); for one certificate for the whole site, in neither"));
        }
        if (!standalone() && url.regionMatches(true, 0, "ws://", 0, 5)) {
            return Optional.of(new ConfigurationProblem(cert, clientCertificateFile, "a client certificate is set, but"
                    + " url is ws:// (no TLS), which sends no certificate", "use the CSMS's wss:// address (OCPP"
                    + " security profile 3 is TLS with a client certificate), or empty " + cert + " and " + key));
        }
        if (!clientCertificatePerCharger()) {
            try {
                Trust.readClientCertificate(clientCertificateFile, clientKeyFile);
            } catch (ConfigurationProblem p) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private Optional<ConfigurationProblem> urlProblem() {
        String fix = "set url to the CSMS's OCPP-J address, ws://HOST:PORT/PATH or wss://HOST:PORT/PATH (the charge"
                + " point id is appended, or replaces {chargePointId})";
        URI parsed;
        try {
            parsed = new URI(url.replace(ID_PLACEHOLDER, "CP"));
        } catch (URISyntaxException e) {
            return Optional.of(new ConfigurationProblem("url", url, "not a valid URL (" + e.getReason() + " at"
                    + " character " + (e.getIndex() + 1) + ")", fix));
        }
        String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("ws") && !scheme.equals("wss")) {
            return Optional.of(new ConfigurationProblem("url", url, scheme.isEmpty() ? "the URL has no scheme"
                    : "the scheme is " + scheme + "://, the link speaks only ws:// and wss://"
                    + (scheme.startsWith("http") ? " (the OCPP-J endpoint of a CSMS is a WebSocket address,"
                    + " even where the CSMS's web pages are http(s)://)" : ""), fix));
        }
        if (parsed.getHost() == null || parsed.getHost().isEmpty()) {
            return Optional.of(new ConfigurationProblem("url", url, "the URL has no host name", fix));
        }
        if (!url.contains(ID_PLACEHOLDER) && (parsed.getRawQuery() != null || parsed.getRawFragment() != null)) {
            return Optional.of(new ConfigurationProblem("url", url, "the URL has a query or fragment ('?' or '#'),"
                    + " after which the charge point id would be appended", "write {chargePointId} where the"
                    + " charge point id goes, as in wss://csms.example/ocpp/{chargePointId}?key=value"));
        }
        return Optional.empty();
    }

    /**
     * The warning for a password sent over plain {@code ws://}: OCPP security profile 1 (HTTP Basic
     * without TLS) puts the password on the network in clear; the OCPP 1.6 security white paper
     * allows it only on a trusted network. Empty with {@code wss://} or without a password.
     */
    Optional<String> clearTextWarning() {
        boolean anyPassword = (password != null && !password.isEmpty())
                || chargerPasswords.values().stream().anyMatch(p -> !p.isEmpty());
        if (!anyPassword || !url.regionMatches(true, 0, "ws://", 0, 5)) {
            return Optional.empty();
        }
        return Optional.of("Upstream url " + url + " is plain ws:// (no TLS) and a password is configured: the"
                + " chargers' passwords cross the network to the CSMS readable by anyone on the way (HTTP Basic"
                + " is encoding, not encryption; OCPP security profile 1). This is acceptable only on a network"
                + " you trust end to end (a VPN or a private APN to the CSMS); otherwise use wss:// (profile 2)");
    }

    /** The settings as they may be logged: passwords masked. */
    @Override
    public String toString() {
        return "Settings[url=" + url + ", username=" + username + ", password="
                + (password == null || password.isEmpty() ? "" : "***")
                + ", chargerPasswords=" + chargerPasswords.keySet() + ", caFile=" + caFile + ", reconnectMin="
                + reconnectMin + ", reconnectMax=" + reconnectMax + ", authorizeTimeout=" + authorizeTimeout
                + ", startTransactionTimeout=" + startTransactionTimeout + ", callTimeout=" + callTimeout
                + ", replayRatePerSecond=" + replayRatePerSecond + ", maxRetries=" + maxRetries
                + ", retryInterval=" + retryInterval + ", stopTransactionOnInvalidId=" + stopTransactionOnInvalidId
                + ", clientCertificateFile=" + clientCertificateFile + ", clientKeyFile=" + clientKeyFile + "]";
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

    /** The charger's client certificate file ({@value #ID_PLACEHOLDER} replaced by its id); empty for none. */
    String clientCertificateFile(String chargePointId) {
        return clientCertificateFile.replace(ID_PLACEHOLDER, chargePointId);
    }

    /** The charger's client key file ({@value #ID_PLACEHOLDER} replaced by its id); empty for none. */
    String clientKeyFile(String chargePointId) {
        return clientKeyFile.replace(ID_PLACEHOLDER, chargePointId);
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
