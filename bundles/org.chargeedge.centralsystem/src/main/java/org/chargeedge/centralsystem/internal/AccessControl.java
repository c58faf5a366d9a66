package org.chargeedge.centralsystem.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

import org.chargeedge.api.charger.ChargerAccess;
import org.chargeedge.api.charger.ChargerCommands;
import org.chargeedge.ocpp.v16.ChangeConfigurationConfirmation;
import org.chargeedge.ocpp.v16.ChangeConfigurationRequest;
import org.chargeedge.ocpp.v16.ConfigurationStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may connect, and as whom: the {@link ChargerServer.Gate} of the OCPP
 * server and the {@link ChargerAccess} service behind the shell.
 *
 * <ul>
 * <li>Unknown ids are refused at the handshake (404) and listed as waiting,
 * until an operator accepts one, unless the commissioning window is open or
 * the site runs in the explicit open mode.</li>
 * <li>Each known charger has a security profile (its own, or the site's):
 * a connection below it is refused (White Paper A00.FR.002/005). Profile 1
 * and 2 check HTTP Basic (user = charge point id, password = AuthorizationKey,
 * kept as a bcrypt hash); 2 and 3 need TLS; 3 a client certificate from the
 * charger CA whose subject CN is the charge point id (and O the operator's,
 * when one is configured).</li>
 * <li>No takeover: a connection that authenticated at the charger's profile
 * replaces an open one. One that did not (profile 0) replaces it only when
 * the open one no longer answers a ping; otherwise it is refused (409) and
 * the first keeps its session.</li>
 * <li>Failed handshakes from one address are answered later and later (up
 * to 5 s, without holding a thread); password checks run on one thread of
 * their own ({@link PasswordChecks}), so a burst of bad logins never delays
 * the other chargers' messages; they are taken in turn per address, so a
 * charger logging in waits for at most one check per other address, and a
 * charger whose password was verified before (since the gateway started)
 * is not queued at all. Every handshake is answered: a check that waited
 * too long is answered 503 (busy), never left to the handshake timeout.</li>
 * </ul>
 *
 * <p>Threads: {@link #admit} is called on Netty event loops and completes on
 * the authentication thread or a timer; the service methods on any thread.
 * All mutable state (known chargers, waiting list, refusals, failure counts,
 * commissioning window) is guarded by this object's lock; no I/O but the
 * accepted-chargers file's rare writes happens under it.
 */
final class AccessControl implements ChargerServer.Gate, ChargerAccess {

    private static final Logger LOG = LoggerFactory.getLogger(AccessControl.class);
    static final int MAX_WAITING = 64;
    static final int MAX_REFUSALS = 100;
    private static final int MAX_FAILING_ADDRESSES = 4096;
    private static final Duration FAILURES_FORGOTTEN = Duration.ofMinutes(15);
    private static final Duration MAX_DELAY = Duration.ofSeconds(5);
    static final Duration TAKEOVER_PROBE = Duration.ofSeconds(5);
    private static final Duration MAX_COMMISSIONING = Duration.ofHours(24);

    /** What the central system tells about open sessions. */
    interface Sessions {
        boolean connected(String chargePointId);

        /** Completes with true when the open session of the charger shows it is alive within {@code within}. */
        CompletionStage<Boolean> alive(String chargePointId, Duration within);

        /** Where the open session of the charger comes from, for log lines. */
        String remoteAddress(String chargePointId);
    }

    /**
     * The access settings of the configuration.
     *
     * @param knownIds ids named in chargePointIds: known at the site profile
     * @param profiles chargerProfiles: the profile of each charger named there
     * @param keyHashes chargerKeyHashes: bcrypt hashes of chargers' AuthorizationKeys
     * @param organization the O a charger certificate's subject must have; empty: not checked
     */
    record Settings(int siteProfile, boolean open, Set<String> knownIds, Map<String, Integer> profiles,
                    Map<String, String> keyHashes, String organization, boolean tlsPort, boolean chargerCa) {
    }

    private final Settings settings;
    private final ChargePointIds ids;
    private final KnownChargers known;
    private final Passwords passwords;
    private final PasswordChecks checks;
    private final Sessions sessions;
    private final ChargerCommands commands;
    private final Clock clock;
    private final LogLimiter logLimiter = LogLimiter.perMinute();
    private final Map<String, WaitingCharger> waiting = bounded(MAX_WAITING);
    private final Map<String, Refusal> refusals = bounded(MAX_REFUSALS);
    private final Map<String, long[]> failures = bounded(MAX_FAILING_ADDRESSES); // address -> {count, last ms}
    private Instant commissioningUntil;

    AccessControl(Settings settings, ChargePointIds ids, Path knownFile, Passwords passwords, PasswordChecks checks,
                  Sessions sessions, ChargerCommands commands, Clock clock) {
        this.settings = settings;
        this.ids = ids;
        this.known = new KnownChargers(knownFile);
        this.passwords = passwords;
        this.checks = checks;
        this.sessions = sessions;
        this.commands = commands;
        this.clock = clock;
        settings.keyHashes().forEach((id, hash) -> {
            if (!Passwords.validHash(hash)) {
                LOG.error("{}: chargerKeyHashes holds no valid bcrypt hash for it; it cannot log in until the hash is"
                        + " fixed (make one with chargeedge:hashkey)", id);
            }
        });
    }

    private static <V> Map<String, V> bounded(int max) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > max;
            }
        };
    }

    // ---- the handshake --------------------------------------------------------------------------

    /** A known charger with what its connections must show. */
    private record Resolved(String id, int profile, boolean siteDefault, String keyHash, boolean configured,
                            Instant acceptedAt) {
        KnownCharger info() {
            return new KnownCharger(id, profile, siteDefault, keyHash != null, configured, acceptedAt);
        }
    }

    @Override
    public CompletionStage<ChargerServer.Admission> admit(ChargerServer.Handshake h) {
        String address = h.remote().getAddress().getHostAddress();
        ChargePointIds.Check check = ids.check(h.path());
        if (!check.accepted()) {
            return done(refuse(null, address, 404, "path " + PeerText.longText(h.path()) + ": "
                    + PeerText.longText(check.refusal()), false));
        }
        String id = check.chargePointId(); // only unreserved characters, at most maxChargePointIdLength
        Resolved charger;
        synchronized (this) {
            charger = resolve(id);
            if (charger == null && commissioningOpen()) {
                known.put(id, new KnownChargers.Entry(null, null, clock.instant()));
                waiting.remove(id);
                LOG.info("{}: accepted from {} during the commissioning window", id, address);
                charger = resolve(id);
            }
            if (charger == null && !settings.open()) {
                Instant now = clock.instant();
                WaitingCharger w = waiting.get(id);
                waiting.put(id, new WaitingCharger(id, address, w == null ? now : w.firstSeen(), now,
                        w == null ? 1 : w.attempts() + 1));
            }
        }
        if (charger == null) {
            if (!settings.open()) {
                return done(refuse(id, address, 404, "unknown charge point id, waiting to be accepted"
                        + " (chargeedge:waiting, chargeedge:accept " + id + ")", false));
            }
            charger = new Resolved(id, settings.siteProfile(), true, null, false, null);
        }
        return authenticate(charger, h, address).thenCompose(outcome -> {
            if (outcome instanceof ChargerServer.Admission refused) {
                return done(refused);
            }
            boolean authenticated = (Boolean) outcome;
            if (authenticated || !sessions.connected(id)) {
                return done(accepted(id, address));
            }
            // Profile 0: nothing tells the newcomer from an impostor; the open session keeps the id while it lives.
            String current = sessions.remoteAddress(id);
            return sessions.alive(id, TAKEOVER_PROBE).thenApply(alive -> alive
                    ? refuse(id, address, 409, "already connected from " + current + ", which answers; a connection"
                    + " without credentials cannot take over (give the charger a password: chargeedge:pushkey)",
                    false)
                    : accepted(id, address));
        });
    }

    /**
     * Checks the connection against the charger's profile: completes with whether it authenticated
     * (a Boolean), or with the refusal (an Admission).
     */
    private CompletionStage<Object> authenticate(Resolved c, ChargerServer.Handshake h, String address) {
        String id = c.id();
        int required = c.profile();
        if (required >= 2 && !h.tls()) {
            return done(refuse(id, address, 403, "security profile " + required + " requires wss:// (TLS); it"
                    + " connected over ws://", true));
        }
        if (!h.clientCertificates().isEmpty()) {
            String mismatch = certificateMismatch(id, h.clientCertificates().get(0));
            if (mismatch != null) {
                return done(refuse(id, address, 403, mismatch, true));
            }
            if (required == 3 || h.authorization() == null) {
                return done(Boolean.TRUE);
            }
        } else if (required == 3) {
            return done(refuse(id, address, 403, "no client certificate: security profile 3 needs one signed by"
                    + " the charger CA", true));
        }
        if (h.authorization() == null) {
            return required >= 1
                    ? done(refuse(id, address, 401, "no password sent (HTTP Basic): security profile " + required
                    + " needs one", true))
                    : done(Boolean.FALSE);
        }
        String password = basicPassword(h.authorization(), id);
        if (password == null) {
            return done(refuse(id, address, 401, "malformed Authorization header, or its user name is not the"
                    + " charge point id", true));
        }
        String hash = c.keyHash();
        if (hash == null) {
            return required >= 1
                    ? done(refuse(id, address, 403, "no password is set for it at the gateway (chargeedge:setkey or"
                    + " chargeedge:pushkey)", true))
                    : done(Boolean.FALSE);
        }
        if (passwords.remembered(id, hash, password)) {
            // Verified before: one digest here, not queued behind a burst of other logins' bcrypt checks.
            return done(Boolean.TRUE);
        }
        boolean suspect;
        synchronized (this) {
            long[] f = failures.get(address);
            suspect = f != null && clock.millis() - f[1] <= FAILURES_FORGOTTEN.toMillis();
        }
        CompletableFuture<Object> result = new CompletableFuture<>();
        // From an address that failed lately, "busy" counts as one more failure: its answers come later and later.
        Runnable busy = () -> result.complete(refuse(id, address, 503, "the gateway is busy checking other"
                + " chargers' passwords; the charger will be checked when it tries again", suspect));
        if (!checks.submit(address, suspect, () -> result.complete(passwords.verify(id, hash, password)
                ? Boolean.TRUE : refuse(id, address, 401, "wrong password", true)), busy)) {
            busy.run();
        }
        return result;
    }

    /** The password of a Basic header whose user is {@code id}, or null. */
    static String basicPassword(String header, String id) {
        if (header.length() < 6 || !header.regionMatches(true, 0, "Basic ", 0, 6) || header.length() > 512) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0 || !decoded.substring(0, colon).equals(id)) {
            return null;
        }
        return decoded.substring(colon + 1);
    }

    /** Why a (CA-verified) client certificate does not belong to {@code id}, or null when it does. */
    private String certificateMismatch(String id, X509Certificate certificate) {
        String cn = null;
        String o = null;
        try {
            for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    cn = String.valueOf(rdn.getValue());
                } else if (rdn.getType().equalsIgnoreCase("O")) {
                    o = String.valueOf(rdn.getValue());
                }
            }
        } catch (InvalidNameException e) {
            return "the client certificate's subject cannot be read";
        }
        if (!id.equals(cn)) {
            return "the client certificate is for another charge point (CN=" + PeerText.shortText(cn) + ")";
        }
        if (!settings.organization().isEmpty() && !settings.organization().equals(o)) {
            return "the client certificate is of another operator (O=" + PeerText.shortText(o) + ", expected "
                    + settings.organization() + ")";
        }
        return null;
    }

    private ChargerServer.Admission accepted(String id, String address) {
        synchronized (this) {
            failures.remove(address);
            waiting.remove(id);
        }
        return ChargerServer.Admission.accept(id);
    }

    /**
     * Records and logs a refusal: a known charger's once per cause and minute; a refusal of an unknown
     * id or of a path without one once per status and address and minute (with the count of those held
     * back), so a churn of made-up ids or paths costs one line a minute; the latest refusals stay in
     * {@link #recentRefusals} and the latest unknown ids in the waiting list. A failed authentication also
     * counts against the address and delays the answer after the third.
     */
    private ChargerServer.Admission refuse(String id, String address, int status, String reason,
                                           boolean authFailure) {
        Instant now = clock.instant();
        Duration delay = Duration.ZERO;
        String logKey;
        synchronized (this) {
            logKey = id != null && resolve(id) != null ? reason + "\n" + id : status + "\n" + address;
            note(id, address, reason, now);
            if (authFailure) {
                long[] f = failures.get(address);
                long nowMs = now.toEpochMilli();
                if (f == null || nowMs - f[1] > FAILURES_FORGOTTEN.toMillis()) {
                    f = new long[] {0, nowMs};
                    failures.put(address, f);
                }
                f[0]++;
                f[1] = nowMs;
                if (f[0] > 3) {
                    delay = Duration.ofMillis(Math.min(MAX_DELAY.toMillis(), 250L << Math.min(10, f[0] - 4)));
                }
            }
        }
        LogLimiter.Decision d = logLimiter.allow(logKey);
        if (d.log()) {
            LOG.warn("{} from {}: connection refused ({}): {}{}", id == null ? "a charger" : id, address, status,
                    reason, d.suffix());
        }
        return ChargerServer.Admission.refuse(status, reason).delayed(delay);
    }

    /** Adds a refusal to {@link #recentRefusals}. Under the lock. */
    private void note(String id, String address, String reason, Instant now) {
        String key = (id == null ? "@" + address : id) + "\n" + reason;
        Refusal r = refusals.get(key);
        refusals.put(key, new Refusal(id, address, reason, r == null ? now : r.firstAt(), now,
                r == null ? 1 : r.count() + 1));
    }

    /** A connection that failed before its upgrade request (TLS, timeout): listed, not logged again. */
    @Override
    public void refusedEarly(String host, String reason) {
        Instant now = clock.instant();
        synchronized (this) {
            note(null, host, reason, now);
        }
    }

    private static <T> CompletionStage<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }

    /** The charger as known, or null; the configuration's settings win over the shell's. Under the lock. */
    private Resolved resolve(String id) {
        KnownChargers.Entry e = known.get(id);
        boolean configured = settings.knownIds().contains(id) || settings.profiles().containsKey(id)
                || settings.keyHashes().containsKey(id);
        if (e == null && !configured) {
            return null;
        }
        Integer own = settings.profiles().containsKey(id) ? settings.profiles().get(id)
                : e == null ? null : e.profile();
        String hash = settings.keyHashes().containsKey(id) ? settings.keyHashes().get(id)
                : e == null ? null : e.keyHash();
        return new Resolved(id, own == null ? settings.siteProfile() : own, own == null, hash, configured,
                e == null ? null : e.acceptedAt());
    }

    /** Whether the charger is known (configured or accepted); unknown ones are forgotten when they leave. */
    synchronized boolean isKnown(String id) {
        return resolve(id) != null;
    }

    private boolean commissioningOpen() {
        return commissioningUntil != null && clock.instant().isBefore(commissioningUntil);
    }

    // ---- ChargerAccess ----------------------------------------------------------------------

    @Override
    public int siteSecurityProfile() {
        return settings.siteProfile();
    }

    @Override
    public boolean openToUnknownChargers() {
        return settings.open();
    }

    @Override
    public synchronized Optional<Instant> commissioningUntil() {
        return commissioningOpen() ? Optional.of(commissioningUntil) : Optional.empty();
    }

    @Override
    public synchronized List<KnownCharger> knownChargers() {
        java.util.TreeSet<String> all = new java.util.TreeSet<>(known.all().keySet());
        all.addAll(settings.knownIds());
        all.addAll(settings.profiles().keySet());
        all.addAll(settings.keyHashes().keySet());
        List<KnownCharger> list = new ArrayList<>();
        for (String id : all) {
            list.add(resolve(id).info());
        }
        return List.copyOf(list);
    }

    @Override
    public synchronized List<WaitingCharger> waitingChargers() {
        List<WaitingCharger> list = new ArrayList<>(waiting.values());
        list.sort(java.util.Comparator.comparing(WaitingCharger::lastSeen));
        return List.copyOf(list);
    }

    @Override
    public synchronized List<Refusal> recentRefusals() {
        List<Refusal> list = new ArrayList<>(refusals.values());
        list.sort(java.util.Comparator.comparing(Refusal::lastAt));
        return List.copyOf(list);
    }

    @Override
    public synchronized KnownCharger accept(String chargePointId) {
        String id = validId(chargePointId);
        Resolved r = resolve(id);
        if (r == null) {
            known.put(id, new KnownChargers.Entry(null, null, clock.instant()));
            waiting.remove(id);
            LOG.info("{}: accepted by an operator", id);
            r = resolve(id);
        }
        return r.info();
    }

    @Override
    public synchronized boolean forget(String chargePointId) {
        String id = validId(chargePointId);
        Resolved r = resolve(id);
        if (r != null && r.configured()) {
            throw new IllegalArgumentException(id + " is named in the configuration (chargePointIds, chargerProfiles"
                    + " or chargerKeyHashes); remove it there");
        }
        boolean removed = known.remove(id);
        if (removed) {
            LOG.info("{}: forgotten; its next connection is refused", id);
        }
        return removed;
    }

    @Override
    public synchronized KnownCharger setSecurityProfile(String chargePointId, Integer profile) {
        String id = validId(chargePointId);
        Resolved r = knownOrFail(id);
        if (settings.profiles().containsKey(id)) {
            throw new IllegalArgumentException(id + "'s profile is set in the configuration (chargerProfiles);"
                    + " change it there");
        }
        int effective = profile == null ? settings.siteProfile() : profile;
        checkProfileUsable(id, effective, r.keyHash() != null);
        KnownChargers.Entry e = known.get(id);
        known.put(id, (e == null ? new KnownChargers.Entry(null, null, clock.instant()) : e).withProfile(profile));
        LOG.info("{}: security profile set to {}{}", id, effective, profile == null ? " (the site default)" : "");
        return resolve(id).info();
    }

    private void checkProfileUsable(String id, int profile, boolean hasKey) {
        if (profile < 0 || profile > 3) {
            throw new IllegalArgumentException("a security profile is 0, 1, 2 or 3");
        }
        if ((profile == 1 || profile == 2) && !hasKey) {
            throw new IllegalArgumentException(id + " has no password yet: set one first (chargeedge:setkey, or"
                    + " chargeedge:pushkey to send a new one to it), or it could never connect");
        }
        if (profile >= 2 && !settings.tlsPort()) {
            throw new IllegalArgumentException("security profile " + profile + " needs the wss:// port: configure"
                    + " tlsPort, tlsCertificateFile and tlsKeyFile first");
        }
        if (profile == 3 && !settings.chargerCa()) {
            throw new IllegalArgumentException("security profile 3 needs the charger CA: configure chargerCaFile"
                    + " first");
        }
    }

    @Override
    public synchronized KnownCharger setAuthorizationKey(String chargePointId, String key) {
        String id = validId(chargePointId);
        knownOrFail(id);
        if (settings.keyHashes().containsKey(id)) {
            throw new IllegalArgumentException(id + "'s password is set in the configuration (chargerKeyHashes);"
                    + " change it there");
        }
        String hash = passwords.hash(key);
        KnownChargers.Entry e = known.get(id);
        known.put(id, (e == null ? new KnownChargers.Entry(null, null, clock.instant()) : e).withKeyHash(hash));
        LOG.info("{}: password (AuthorizationKey) set", id);
        return resolve(id).info();
    }

    @Override
    public CompletionStage<KnownCharger> provisionAuthorizationKey(String chargePointId, int profile) {
        String id = validId(chargePointId);
        synchronized (this) {
            knownOrFail(id);
            if (settings.keyHashes().containsKey(id) || settings.profiles().containsKey(id)) {
                throw new IllegalArgumentException(id + "'s password or profile is set in the configuration; change"
                        + " it there");
            }
            if (profile != 1 && profile != 2) {
                throw new IllegalArgumentException("a pushed password is for security profile 1 or 2");
            }
            checkProfileUsable(id, profile, true);
        }
        if (!sessions.connected(id)) {
            throw new IllegalArgumentException(id + " is not connected; the key is sent over its connection");
        }
        String key = passwords.generateKey();
        String hash = passwords.hash(key);
        return commands.call(id, new ChangeConfigurationRequest("AuthorizationKey", key)).thenCompose(keySet -> {
            if (!applied(keySet)) {
                throw new IllegalArgumentException(id + " answered " + keySet.status()
                        + " to the new AuthorizationKey; nothing changed");
            }
            synchronized (this) {
                KnownChargers.Entry e = known.get(id);
                known.put(id, (e == null ? new KnownChargers.Entry(null, null, clock.instant()) : e)
                        .withKeyHash(hash));
            }
            LOG.info("{}: new AuthorizationKey accepted by the charger; asking it to use security profile {}", id,
                    profile);
            return commands.call(id, new ChangeConfigurationRequest("SecurityProfile", Integer.toString(profile)));
        }).thenApply(switched -> {
            if (!applied(switched)) {
                throw new IllegalArgumentException(id + " keeps its new AuthorizationKey but answered "
                        + switched.status() + " to SecurityProfile " + profile + "; switch it on the charger, then"
                        + " chargeedge:profile " + id + " " + profile);
            }
            synchronized (this) {
                KnownChargers.Entry e = known.get(id);
                known.put(id, e.withProfile(profile));
            }
            LOG.info("{}: security profile raised to {}", id, profile);
            synchronized (this) {
                return resolve(id).info();
            }
        });
    }

    private static boolean applied(ChangeConfigurationConfirmation c) {
        return c.status() == ConfigurationStatus.Accepted || c.status() == ConfigurationStatus.RebootRequired;
    }

    @Override
    public String hashAuthorizationKey(String key) {
        return passwords.hash(key);
    }

    @Override
    public synchronized Instant openCommissioning(Duration length) {
        if (length.isNegative() || length.isZero() || length.compareTo(MAX_COMMISSIONING) > 0) {
            throw new IllegalArgumentException("a commissioning window lasts from 1 minute to 24 hours");
        }
        commissioningUntil = clock.instant().plus(length);
        LOG.warn("Commissioning window open until {}: every valid charge point id that connects is accepted",
                commissioningUntil);
        return commissioningUntil;
    }

    @Override
    public synchronized void closeCommissioning() {
        if (commissioningUntil != null) {
            LOG.info("Commissioning window closed");
        }
        commissioningUntil = null;
    }

    private Resolved knownOrFail(String id) {
        Resolved r = resolve(id);
        if (r == null) {
            throw new IllegalArgumentException(id + " is not a known charger; accept it first (chargeedge:accept "
                    + id + ")");
        }
        return r;
    }

    private String validId(String id) {
        ChargePointIds.Check check = ids.checkId(id);
        if (!check.accepted()) {
            throw new IllegalArgumentException(check.refusal());
        }
        return check.chargePointId();
    }
}
