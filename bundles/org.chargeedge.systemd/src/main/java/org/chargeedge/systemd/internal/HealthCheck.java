package org.chargeedge.systemd.internal;

/**
 * One thing the watchdog checks before it tells systemd the gateway is alive. Called on the
 * watchdog's thread only, once per ping interval; may block for at most about the probe timeout.
 * Felix Health Checks can be added as one more implementation (CRITICAL of a check tagged for the
 * watchdog as {@link Finding.Kind#FAILED}, WARN as {@link Finding.Kind#DEGRADED}).
 */
interface HealthCheck {

    Finding check(long nowNanos);
}
