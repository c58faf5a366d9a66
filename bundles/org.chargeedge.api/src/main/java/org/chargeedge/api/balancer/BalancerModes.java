package org.chargeedge.api.balancer;

import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Setting charging modes: the same path as the shell's {@code chargeedge:mode}. Every answer is a stage
 * that completes once the balancer has taken the change (its next run applies it); it fails with a
 * {@link ModeRefusedException} saying why not.
 */
@ProviderType
public interface BalancerModes {

    /**
     * Sets the mode of the session on a connector or, when none runs there, of the next session on it.
     * A session's mode ends with the session.
     *
     * @return what was done, in words (for example {@code CP-1/1: PV for transaction 17})
     */
    CompletionStage<String> setSessionMode(String chargerId, int connectorId, ChargingMode mode);

    /**
     * Sets a charger's default mode, for every session on it without a mode of its own, until it is set
     * again; it replaces the configured default and survives a restart where a store runs.
     *
     * @return what was done, in words
     */
    CompletionStage<String> setChargerDefault(String chargerId, ChargingMode mode);
}
