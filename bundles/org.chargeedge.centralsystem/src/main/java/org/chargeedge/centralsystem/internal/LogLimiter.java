package org.chargeedge.centralsystem.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Logs a kind of event once per key (a cause with a charger or an address)
 * and period, and counts the ones it held back so the next line can say how
 * many there were. A hostile peer that repeats a refused handshake a thousand
 * times a second then costs one log line a minute.
 *
 * <p>Threads: called from any Netty and worker thread; the map is guarded by
 * this object's lock (short critical sections, no I/O inside) and holds at most
 * {@code maxKeys} keys, the oldest forgotten first, so a churn of new
 * addresses or ids cannot grow it.
 */
final class LogLimiter {

    /** What the caller should do with an event. */
    record Decision(boolean log, long suppressed) {
        /** " (and N more like it since the last line)", or "" when none were held back. */
        String suffix() {
            return suppressed == 0 ? "" : " (" + suppressed + " more like it in the last minute, not logged)";
        }
    }

    private static final Decision SKIP = new Decision(false, 0);

    private final long periodNanos;
    private final LongSupplier nanoTime;
    private final Map<String, long[]> byKey;

    LogLimiter(long periodNanos, int maxKeys, LongSupplier nanoTime) {
        this.periodNanos = periodNanos;
        this.nanoTime = nanoTime;
        this.byKey = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
                return size() > maxKeys;
            }
        };
    }

    static LogLimiter perMinute() {
        return new LogLimiter(60_000_000_000L, 4096, System::nanoTime);
    }

    /** Whether to log this event of {@code key} now, and how many were held back before it. */
    synchronized Decision allow(String key) {
        long now = nanoTime.getAsLong();
        long[] state = byKey.get(key); // [last logged at, suppressed since]
        if (state == null) {
            byKey.put(key, new long[] {now, 0});
            return new Decision(true, 0);
        }
        if (now - state[0] >= periodNanos) {
            long suppressed = state[1];
            state[0] = now;
            state[1] = 0;
            return new Decision(true, suppressed);
        }
        state[1]++;
        return SKIP;
    }
}
