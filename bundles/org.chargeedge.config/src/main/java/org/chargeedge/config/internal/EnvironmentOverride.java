package org.chargeedge.config.internal;

import java.util.List;

/**
 * One everyday setting that an environment variable can give, for systemd
 * units and containers. The variable wins over the files in the config
 * directory and over changes made at run time.
 *
 * @param variable environment variable name
 * @param pid configuration PID it overrides
 * @param property property of that configuration
 */
record EnvironmentOverride(String variable, String pid, String property) {

    /** Documented in docs/configuration.md; keep both in step. */
    static final List<EnvironmentOverride> ALL = List.of(
            new EnvironmentOverride("CHARGEEDGE_OCPP_PORT", "org.chargeedge.centralsystem", "port"),
            new EnvironmentOverride("CHARGEEDGE_UNKNOWN_CHARGERS", "org.chargeedge.centralsystem", "unknownChargers"),
            new EnvironmentOverride("CHARGEEDGE_UPSTREAM_URL", "org.chargeedge.upstream", "url"),
            new EnvironmentOverride("CHARGEEDGE_MQTT_URL", "org.chargeedge.mqtt", "url"),
            new EnvironmentOverride("CHARGEEDGE_HTTP_PORT", "org.chargeedge.http", "port"),
            new EnvironmentOverride("CHARGEEDGE_GRID_LIMIT_A", "org.chargeedge.balancer", "gridLimitA"));
}
