package org.chargeedge.http.internal;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Failed logins, counted per user name and per remote address: after
 * {@code allowed} failures within {@code window} the name (or address) is
 * locked until the window of its first failure has passed. A successful login
 * clears the name's count. Times are monotonic (nanoseconds), so a clock
 * corrected by NTP after a power cut neither frees nor locks anyone.
 *
 * <p>Threads: any HTTP thread. The counts live in a ConcurrentHashMap because
 * logins from several threads update them at once; {@code compute} keeps the
 * update of one key atomic. The map is bounded: past {@link #MAX_KEYS} keys the
 * expired ones are dropped, and if that is not enough, every count (an attack
 * from many addresses at once still meets the per-name limit again at once).
 */
final class LoginThrottle {

    static final int MAX_KEYS = 10_000;

    private record Window(long startNanos, int failures) {
    }

    private final int allowed;
    private final long windowNanos;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<String, Window> failures = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();

    LoginThrottle(int allowed, Duration window, LongSupplier nanoTime) {
        this.allowed = Math.max(1, allowed);
        this.windowNanos = window.toNanos();
        this.nanoTime = nanoTime;
    }

    /** How long the name or address is still locked; zero when a login may be tried. */
    Duration lockedFor(String user, String address) {
        long now = nanoTime.getAsLong();
        long wait = Math.max(remaining(key("user", user), now), remaining(key("address", address), now));
        return Duration.ofNanos(wait);
    }

    /** Counts a failure; returns true when it locked the name or the address just now. */
    boolean failed(String user, String address) {
        long now = nanoTime.getAsLong();
        boolean locked = count(key("user", user), now) == allowed;
        locked |= count(key("address", address), now) == allowed;
        return locked;
    }

    void succeeded(String user) {
        if (failures.remove(key("user", user)) != null) {
            size.decrementAndGet();
        }
    }

    private long remaining(String key, long now) {
        Window w = failures.get(key);
        if (w == null || w.failures() < allowed) {
            return 0;
        }
        return Math.max(0, w.startNanos() + windowNanos - now);
    }

    private int count(String key, long now) {
        if (size.get() >= MAX_KEYS) {
            prune(now);
        }
        Window w = failures.compute(key, (k, old) -> {
            if (old == null) {
                size.incrementAndGet();
                return new Window(now, 1);
            }
            if (now - old.startNanos() > windowNanos) {
                return new Window(now, 1);
            }
            return new Window(old.startNanos(), old.failures() + 1);
        });
        return w.failures();
    }

    private void prune(long now) {
        failures.entrySet().removeIf(e -> {
            boolean expired = now - e.getValue().startNanos() > windowNanos;
            if (expired) {
                size.decrementAndGet();
            }
            return expired;
        });
        if (size.get() >= MAX_KEYS) {
            failures.clear();
            size.set(0);
        }
    }

    private static String key(String kind, String value) {
        return kind + ':' + (value == null ? "" : value);
    }
}
