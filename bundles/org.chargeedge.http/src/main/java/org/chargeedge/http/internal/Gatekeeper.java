package org.chargeedge.http.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may use the HTTP API: the users and tokens ({@link UserDirectory}), the
 * browser sessions ({@link BrowserSessions}) and the login throttle
 * ({@link LoginThrottle}). The authentication filter, the login servlet and
 * the shell commands use it.
 *
 * <p>No user ships. The first one is made from the shell
 * ({@code chargeedge:user add NAME operator}) or, at a start that finds no
 * user, from {@code CHARGEEDGE_HTTP_ADMIN_PASSWORD} (user
 * {@code CHARGEEDGE_HTTP_ADMIN_USER}, default {@code admin}, role operator).
 *
 * <p>Threads: logins run on HTTP threads; at most {@link #PARALLEL_LOGINS}
 * bcrypt checks run at once, so a burst of logins cannot take the CPU the
 * chargers' server needs.
 */
@Component(service = Gatekeeper.class, configurationPid = HttpConfig.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public class Gatekeeper {

    private static final Logger LOG = LoggerFactory.getLogger(Gatekeeper.class);
    static final String DATA_DIR_PROPERTY = "chargeedge.data.dir";
    static final String ADMIN_USER_VARIABLE = "CHARGEEDGE_HTTP_ADMIN_USER";
    static final String ADMIN_PASSWORD_VARIABLE = "CHARGEEDGE_HTTP_ADMIN_PASSWORD";
    static final int PARALLEL_LOGINS = 2;

    /** The outcome of a login attempt. */
    sealed interface Login {
        record Accepted(BrowserSessions.Session session) implements Login { }
        record Refused() implements Login { }
        record Locked(Duration retryAfter) implements Login { }
        record Busy() implements Login { }
    }

    private UserDirectory users;
    private BrowserSessions sessions;
    private LoginThrottle throttle;
    private final Semaphore bcryptSlots = new Semaphore(PARALLEL_LOGINS);

    public Gatekeeper() {
    }

    @Activate
    void activate(HttpConfig config, BundleContext context) throws IOException {
        Path file;
        if (!config.usersFile().isBlank()) {
            file = Path.of(config.usersFile());
        } else {
            String dataDir = context.getProperty(DATA_DIR_PROPERTY);
            file = dataDir != null ? Path.of(dataDir, "http", "users.json")
                    : context.getDataFile("users.json").toPath();
        }
        start(file, config, System.getenv(), Clock.systemUTC());
    }

    /** Starts on {@code file} outside the framework too (tests). */
    void start(Path file, HttpConfig config, Map<String, String> environment, Clock clock) throws IOException {
        users = new UserDirectory(file, clock);
        sessions = new BrowserSessions(Duration.ofMinutes(Math.max(1, config.sessionIdleMinutes())),
                Duration.ofHours(Math.max(1, config.sessionMaxHours())), System::nanoTime);
        throttle = new LoginThrottle(config.loginFailuresAllowed(),
                Duration.ofMinutes(Math.max(1, config.loginLockoutMinutes())), System::nanoTime);
        firstUser(environment);
    }

    private void firstUser(Map<String, String> environment) throws IOException {
        String password = environment.get(ADMIN_PASSWORD_VARIABLE);
        String name = environment.getOrDefault(ADMIN_USER_VARIABLE, "admin").trim();
        if (users.hasUsers()) {
            if (password != null) {
                LOG.info("{} is set but users exist already: it is ignored (remove it from the service's"
                        + " environment)", ADMIN_PASSWORD_VARIABLE);
            }
            return;
        }
        if (password == null || password.isEmpty()) {
            LOG.warn("No HTTP API user exists: nobody can log in. Create one in the shell with 'chargeedge:user add"
                    + " NAME operator', or start once with {} set", ADMIN_PASSWORD_VARIABLE);
            return;
        }
        try {
            users.addUser(name, Role.OPERATOR, password);
            LOG.info("Created the first HTTP API user {} (operator) from {}", name, ADMIN_PASSWORD_VARIABLE);
        } catch (IllegalArgumentException e) {
            LOG.error("{} cannot make the first HTTP API user {}: {}", ADMIN_PASSWORD_VARIABLE, name, e.getMessage());
        }
    }

    UserDirectory users() {
        return users;
    }

    BrowserSessions sessions() {
        return sessions;
    }

    /** Checks a password under the throttle; a failure is counted and logged. */
    Login login(String name, String password, String remoteAddress) {
        Duration locked = throttle.lockedFor(name, remoteAddress);
        if (!locked.isZero()) {
            return new Login.Locked(locked);
        }
        boolean slot;
        try {
            slot = bcryptSlots.tryAcquire(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Login.Busy();
        }
        if (!slot) {
            return new Login.Busy();
        }
        Optional<UserDirectory.User> user;
        try {
            user = users.checkPassword(name, password);
        } finally {
            bcryptSlots.release();
        }
        if (user.isEmpty()) {
            boolean nowLocked = throttle.failed(name, remoteAddress);
            LOG.warn("HTTP login refused for user '{}' from {}: wrong user name or password{}", printable(name),
                    remoteAddress, nowLocked ? "; too many failures, locked for a while" : "");
            return new Login.Refused();
        }
        throttle.succeeded(name);
        LOG.info("HTTP login of {} ({}) from {}", name, user.get().role().label(), remoteAddress);
        return new Login.Accepted(sessions.open(name, user.get().role()));
    }

    /** The principal of a bearer token. */
    Optional<Principal> token(String text) {
        return users.checkToken(text).map(t -> new Principal(t.label(), t.role(), null));
    }

    /** The principal of a session cookie; null-safe. */
    Optional<Principal> session(String id) {
        return sessions.find(id).flatMap(s -> {
            UserDirectory.User user = users.state().users().get(s.user);
            if (user == null || user.role() != s.role) {
                sessions.close(s.id); // removed or role changed meanwhile
                return Optional.empty();
            }
            return Optional.of(new Principal(s.user, s.role, s));
        });
    }

    /** User names in logs: printable ASCII only, at most 64 characters. */
    static String printable(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && out.length() < 64; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return out.toString();
    }
}
