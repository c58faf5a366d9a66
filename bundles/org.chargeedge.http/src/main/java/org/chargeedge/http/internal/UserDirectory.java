package org.chargeedge.http.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.type.TypeReference;

/**
 * The local users (name, role, bcrypt hash of the password) and the API
 * tokens (label, role, SHA-256 of the secret), kept in one JSON file under the
 * data directory ({@code DATA/http/users.json}, readable by the gateway's user
 * only). No password or token is ever written: a token is shown once when it
 * is made.
 *
 * <p>Passwords: Bouncy Castle's OpenBSDBCrypt ({@code $2y$}, cost
 * {@value #COST}, as the chargers' passwords), 12 to 72 bytes. Tokens carry
 * 256 random bits, so a fast digest is enough to keep them, and checking one
 * costs no bcrypt on every script call.
 *
 * <p>Threads: the state is an immutable {@link State} in a volatile field,
 * read without locking by the HTTP threads; changes (the shell, the first
 * start) are serialised on this object's monitor, written to disk and only
 * then published.
 */
final class UserDirectory {

    static final int COST = 10;
    static final int MIN_PASSWORD = 12;
    static final int MAX_PASSWORD_BYTES = 72;
    static final String TOKEN_PREFIX = "ce_";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record User(String name, Role role, String passwordHash, Instant created) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Token(String id, String label, Role role, String secretSha256, Instant created) {
    }

    record State(Map<String, User> users, Map<String, Token> tokens) {
        State {
            users = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(users));
            tokens = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tokens));
        }
    }

    private record FileForm(List<User> users, List<Token> tokens) {
    }

    private final Path file;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private volatile State state;

    UserDirectory(Path file, Clock clock) throws IOException {
        this.file = file;
        this.clock = clock;
        this.state = read(file);
    }

    private static State read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return new State(Map.of(), Map.of());
        }
        FileForm form;
        try {
            form = Json.MAPPER.readValue(file.toFile(), new TypeReference<FileForm>() { });
        } catch (IOException e) {
            throw new IOException(file + " cannot be read as the HTTP users file (" + e.getMessage()
                    + "); restore it from a backup or move it away and create the users again", e);
        }
        Map<String, User> users = new LinkedHashMap<>();
        Map<String, Token> tokens = new LinkedHashMap<>();
        if (form.users() != null) {
            form.users().forEach(u -> users.put(u.name(), u));
        }
        if (form.tokens() != null) {
            form.tokens().forEach(t -> tokens.put(t.id(), t));
        }
        return new State(users, tokens);
    }

    State state() {
        return state;
    }

    boolean hasUsers() {
        return !state.users().isEmpty();
    }

    /** Adds a user; IllegalArgumentException when the name is taken or invalid, or the password too weak. */
    synchronized User addUser(String name, Role role, String password) throws IOException {
        checkName(name);
        if (state.users().containsKey(name)) {
            throw new IllegalArgumentException("user " + name + " exists already");
        }
        User user = new User(name, role, hash(password), clock.instant());
        Map<String, User> users = new LinkedHashMap<>(state.users());
        users.put(name, user);
        publish(new State(users, state.tokens()));
        return user;
    }

    synchronized User setPassword(String name, String password) throws IOException {
        User old = existing(name);
        User user = new User(name, old.role(), hash(password), old.created());
        return replace(user);
    }

    synchronized User setRole(String name, Role role) throws IOException {
        User old = existing(name);
        return replace(new User(name, role, old.passwordHash(), old.created()));
    }

    synchronized boolean removeUser(String name) throws IOException {
        if (!state.users().containsKey(name)) {
            return false;
        }
        Map<String, User> users = new LinkedHashMap<>(state.users());
        users.remove(name);
        publish(new State(users, state.tokens()));
        return true;
    }

    /** Makes an API token; the returned text is the only copy of its secret. */
    synchronized String addToken(String label, Role role) throws IOException {
        if (label == null || label.isBlank() || label.length() > 64) {
            throw new IllegalArgumentException("a token needs a label of 1 to 64 characters saying what uses it");
        }
        byte[] idBytes = new byte[4];
        String id;
        do {
            random.nextBytes(idBytes);
            id = HexFormat.of().formatHex(idBytes);
        } while (state.tokens().containsKey(id));
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String secretText = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        Map<String, Token> tokens = new LinkedHashMap<>(state.tokens());
        tokens.put(id, new Token(id, label.trim(), role, sha256(secretText), clock.instant()));
        publish(new State(state.users(), tokens));
        return TOKEN_PREFIX + id + "_" + secretText;
    }

    synchronized boolean revokeToken(String id) throws IOException {
        if (!state.tokens().containsKey(id)) {
            return false;
        }
        Map<String, Token> tokens = new LinkedHashMap<>(state.tokens());
        tokens.remove(id);
        publish(new State(state.users(), tokens));
        return true;
    }

    /** The user whose password this is: slow (bcrypt), run it only under the login throttle. */
    Optional<User> checkPassword(String name, String password) {
        User user = name == null ? null : state.users().get(name);
        if (user == null || password == null) {
            // The same work as for a real user, so timing does not tell which names exist.
            OpenBSDBCrypt.checkPassword(DUMMY_HASH, "not a password".toCharArray());
            return Optional.empty();
        }
        try {
            return OpenBSDBCrypt.checkPassword(user.passwordHash(), password.toCharArray()) ? Optional.of(user)
                    : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty(); // a damaged hash in the file: nobody gets in with it
        }
    }

    /** The token this text is, when valid; one digest, no bcrypt. */
    Optional<Token> checkToken(String text) {
        if (text == null || !text.startsWith(TOKEN_PREFIX) || text.length() > 200) {
            return Optional.empty();
        }
        int separator = text.indexOf('_', TOKEN_PREFIX.length());
        if (separator < 0) {
            return Optional.empty();
        }
        Token token = state.tokens().get(text.substring(TOKEN_PREFIX.length(), separator));
        if (token == null) {
            return Optional.empty();
        }
        byte[] given = sha256(text.substring(separator + 1)).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(given, token.secretSha256().getBytes(StandardCharsets.US_ASCII))
                ? Optional.of(token) : Optional.empty();
    }

    /** Why {@code password} cannot be a user's password, or null when it can. */
    static String weakPassword(String password) {
        if (password == null || password.length() < MIN_PASSWORD) {
            return "a password needs at least " + MIN_PASSWORD + " characters";
        }
        if (password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
            return "a password has at most " + MAX_PASSWORD_BYTES + " bytes (bcrypt ignores the rest)";
        }
        return null;
    }

    /** A random password of 20 letters and digits, for users made from the shell without one. */
    String generatePassword() {
        String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        StringBuilder out = new StringBuilder(20);
        for (int i = 0; i < 20; i++) {
            out.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }

    private static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a user name has 1 to 64 letters, digits and . _ @ -");
        }
    }

    private User existing(String name) {
        User user = state.users().get(name);
        if (user == null) {
            throw new IllegalArgumentException("no user " + name);
        }
        return user;
    }

    private User replace(User user) throws IOException {
        Map<String, User> users = new LinkedHashMap<>(state.users());
        users.put(user.name(), user);
        publish(new State(users, state.tokens()));
        return user;
    }

    private String hash(String password) {
        String problem = weakPassword(password);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        return OpenBSDBCrypt.generate("2y", password.toCharArray(), salt, COST);
    }

    /** Writes the new state durably (temporary file, fsync, atomic rename), then makes it the current one. */
    private void publish(State next) throws IOException {
        Files.createDirectories(file.getParent());
        Path temporary = file.resolveSibling(file.getFileName() + ".new");
        byte[] bytes = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(
                new FileForm(new ArrayList<>(next.users().values()), new ArrayList<>(next.tokens().values())));
        try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ownerOnly(temporary);
            out.write(java.nio.ByteBuffer.wrap(bytes));
            out.force(true);
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        state = next;
    }

    private static void ownerOnly(Path path) {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system: the directory's permissions protect it
        }
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** A valid hash of a random password no one knows, checked when the user name is unknown. */
    private static final String DUMMY_HASH = OpenBSDBCrypt.generate("2y", "unknown user".toCharArray(),
            new byte[16], COST);
}
