package org.chargeedge.systemd.internal;

/**
 * What one health check found, and whether a restart would cure it.
 *
 * @param kind {@link Kind#OK}; {@link Kind#DEGRADED}: something is wrong that a restart does not
 *        cure (a full disk, a configuration error), so the watchdog keeps pinging and says it in
 *        STATUS and the log; {@link Kind#FAILED}: the gateway cannot serve and a restart cures it
 *        (a dead or wedged listener, a stuck writer), so the watchdog stops pinging
 * @param text what is wrong, in an installer's words; null when OK
 */
record Finding(Kind kind, String text) {

    enum Kind { OK, DEGRADED, FAILED }

    static final Finding OK = new Finding(Kind.OK, null);

    static Finding degraded(String text) {
        return new Finding(Kind.DEGRADED, text);
    }

    static Finding failed(String text) {
        return new Finding(Kind.FAILED, text);
    }
}
