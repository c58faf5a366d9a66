package org.chargeedge.api.balancer;

import java.time.Instant;
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
     * What a Scheduled session must reach: the energy it needs by when the car leaves.
     *
     * @param departure when the car leaves
     * @param energyWh the energy it needs by then, counted from the session's start, Wh
     */
    record Target(Instant departure, double energyWh) {
    }

    /**
     * Sets the mode of the session on a connector or, when none runs there, of the next session on it.
     * A session's mode ends with the session. {@link ChargingMode#SCHEDULED} needs a target: use
     * {@link #setSessionMode(String, int, ChargingMode, Target)}.
     *
     * @return what was done, in words (for example {@code CP-1/1: PV for transaction 17})
     */
    default CompletionStage<String> setSessionMode(String chargerId, int connectorId, ChargingMode mode) {
        return setSessionMode(chargerId, connectorId, mode, null);
    }

    /**
     * The same, with a target: required for {@link ChargingMode#SCHEDULED} (a departure in the future, an
     * energy above 0), refused with any other mode.
     */
    CompletionStage<String> setSessionMode(String chargerId, int connectorId, ChargingMode mode, Target target);

    /**
     * Sets a charger's default mode, for every session on it without a mode of its own, until it is set
     * again; it replaces the configured default and survives a restart where a store runs.
     *
     * @return what was done, in words
     */
    CompletionStage<String> setChargerDefault(String chargerId, ChargingMode mode);

    /**
     * Forgets a charger's default set at run time: its sessions without a mode of their own take the configured
     * one again (also after a restart).
     *
     * @return what was done, in words
     */
    CompletionStage<String> clearChargerDefault(String chargerId);
}
