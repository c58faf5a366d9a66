package org.chargeedge.http.internal;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Browser sessions after a login: a random id in an HttpOnly, SameSite=Strict
 * cookie (Secure over HTTPS) and a CSRF token the page sends back in the
 * {@code X-CSRF-Token} header with every request that changes something. A
 * session ends after {@code idle} without a request, after {@code maximum} in
 * any case, at logout, and when its user is removed or changes password.
 * Sessions live in memory: a restarted gateway asks for a new login.
 *
 * <p>Threads: any HTTP thread and the shell. The sessions are in a
 * ConcurrentHashMap because every request looks its session up while logins,
 * logouts and the shell change the map; a session's last use is a volatile
 * field written by the requests that use it. Bounded: at {@link #MAX} sessions
 * a new login ends the least recently used one.
 */
final class BrowserSessions {

    static final int MAX = 1000;
    static final String COOKIE = "CE_SESSION";
    static final String CSRF_HEADER = "X-CSRF-Token";

    static final class Session {
        final String id;
        final String user;
        final Role role;
        final String csrfToken;
        final long createdNanos;
        volatile long lastUsedNanos;

        Session(String id, String user, Role role, String csrfToken, long now) {
            this.id = id;
            this.user = user;
            this.role = role;
            this.csrfToken = csrfToken;
            this.createdNanos = now;
            this.lastUsedNanos = now;
        }
    }

    private final SecureRandom random = new SecureRandom();
    private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
    private final long idleNanos;
    private final long maximumNanos;
    private final LongSupplier nanoTime;

    BrowserSessions(Duration idle, Duration maximum, LongSupplier nanoTime) {
        this.idleNanos = idle.toNanos();
        this.maximumNanos = maximum.toNanos();
        this.nanoTime = nanoTime;
    }

    Session open(String user, Role role) {
        long now = nanoTime.getAsLong();
        if (sessions.size() >= MAX) {
            sessions.values().removeIf(s -> expired(s, now));
            while (sessions.size() >= MAX) {
                sessions.values().stream().min(Comparator.comparingLong(s -> s.lastUsedNanos))
                        .ifPresent(s -> sessions.remove(s.id, s));
            }
        }
        Session session = new Session(randomText(), user, role, randomText(), now);
        sessions.put(session.id, session);
        return session;
    }

    /** The live session with this id, marked as used now. */
    Optional<Session> find(String id) {
        if (id == null) {
            return Optional.empty();
        }
        Session s = sessions.get(id);
        long now = nanoTime.getAsLong();
        if (s == null) {
            return Optional.empty();
        }
        if (expired(s, now)) {
            sessions.remove(id, s);
            return Optional.empty();
        }
        s.lastUsedNanos = now;
        return Optional.of(s);
    }

    void close(String id) {
        if (id != null) {
            sessions.remove(id);
        }
    }

    /** Ends every session of the user (removed, password or role changed). */
    void closeAll(String user) {
        sessions.values().removeIf(s -> s.user.equals(user));
    }

    int size() {
        return sessions.size();
    }

    private boolean expired(Session s, long now) {
        return now - s.lastUsedNanos > idleNanos || now - s.createdNanos > maximumNanos;
    }

    private String randomText() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
