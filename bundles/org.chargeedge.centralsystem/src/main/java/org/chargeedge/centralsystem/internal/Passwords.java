package org.chargeedge.centralsystem.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * Chargers' passwords (their AuthorizationKey), kept only as bcrypt hashes
 * (Bouncy Castle's OpenBSDBCrypt, {@code $2y$}, cost {@value #COST}: about
 * 50-100 ms per check on a site PC, and 4 KiB of memory, which matters under a
 * 128 MiB heap where a memory-hard hash would let a burst of bad logins
 * exhaust it).
 *
 * <p>After a site-wide power cut every charger reconnects at once; a bcrypt
 * check per charger would then take a minute of CPU. A password once
 * verified against a hash is therefore remembered, for as long as the hash
 * is unchanged, as a SHA-256 keyed with a random secret of this process
 * (never written anywhere): the next connection with it costs one digest.
 *
 * <p>Threads: {@link #verify} runs on the gateway's authentication thread,
 * {@link #remembered} on any; the remembered digests are guarded by their
 * map's lock and bounded.
 */
final class Passwords {

    static final int COST = 10;
    static final int MIN_KEY = 16;
    static final int MAX_KEY = 40;
    private static final int REMEMBERED = 4096;

    private final SecureRandom random = new SecureRandom();
    private final byte[] secret = new byte[32];
    /** Charge point id + hash -> digest of the password verified against that hash. */
    private final Map<String, byte[]> verified = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
            return size() > REMEMBERED;
        }
    };

    Passwords() {
        random.nextBytes(secret);
    }

    /** The bcrypt hash of {@code key}, after checking it is a valid AuthorizationKey. */
    String hash(String key) {
        String problem = invalidKey(key);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        return OpenBSDBCrypt.generate("2y", key.toCharArray(), salt, COST);
    }

    /** Why {@code key} is not an AuthorizationKey (16 to 40 printable ASCII characters), or null. */
    static String invalidKey(String key) {
        if (key == null || key.length() < MIN_KEY || key.length() > MAX_KEY) {
            return "an AuthorizationKey has " + MIN_KEY + " to " + MAX_KEY + " characters (OCPP 1.6 Security White"
                    + " Paper: 16 to 20 bytes, up to 40 hex digits)";
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return "an AuthorizationKey holds printable ASCII characters only, no spaces";
            }
        }
        return null;
    }

    /** Whether {@code hash} is a bcrypt hash this class can check. */
    static boolean validHash(String hash) {
        try {
            OpenBSDBCrypt.checkPassword(hash, "x".toCharArray());
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** 20 random bytes as 40 hexadecimal digits, a new AuthorizationKey. */
    String generateKey() {
        byte[] key = new byte[20];
        random.nextBytes(key);
        return HexFormat.of().withUpperCase().formatHex(key);
    }

    /**
     * Whether {@code password} is the one last verified against {@code hash} for the charger: one
     * digest, no bcrypt, so it may run on any thread. False says nothing: {@link #verify} decides.
     */
    boolean remembered(String chargePointId, String hash, String password) {
        String slot = chargePointId + '\n' + hash;
        byte[] digest = digest(slot, password);
        synchronized (verified) {
            byte[] known = verified.get(slot);
            return known != null && MessageDigest.isEqual(known, digest);
        }
    }

    /** Whether {@code password} matches {@code hash}; slow the first time, fast once it matched. */
    boolean verify(String chargePointId, String hash, String password) {
        if (remembered(chargePointId, hash, password)) {
            return true;
        }
        String slot = chargePointId + '\n' + hash;
        byte[] digest = digest(slot, password);
        boolean ok;
        try {
            ok = OpenBSDBCrypt.checkPassword(hash, password.toCharArray());
        } catch (RuntimeException e) {
            ok = false; // a malformed hash in the configuration: nobody gets in with it
        }
        if (ok) {
            synchronized (verified) {
                verified.put(slot, digest);
            }
        }
        return ok;
    }

    private byte[] digest(String slot, String password) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(secret);
            sha.update(slot.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            return sha.digest(password.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
