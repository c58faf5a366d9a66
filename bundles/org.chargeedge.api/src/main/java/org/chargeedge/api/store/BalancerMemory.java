package org.chargeedge.api.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What the load balancer keeps across restarts: the modes set for sessions and for chargers at run time, and
 * what it learnt of each charger's smart charging. Modes are names ({@code Fast}, {@code PV}, ...) as the
 * balancer spells them: the store does not interpret them. Writes complete once committed and synced. Since 2.3.
 */
@ProviderType
public interface BalancerMemory {

    /**
     * A mode set for the session on a connector.
     *
     * @param chargePointId the charger
     * @param connectorId the connector, from 1
     * @param transactionId the session it is for; null: for the next session on the connector
     * @param mode the mode's name
     * @param departure when the car leaves (Scheduled), or null
     * @param energyWh the energy wanted by then (Scheduled), or null
     */
    record SessionMode(String chargePointId, int connectorId, Integer transactionId, String mode, Instant departure,
                       Double energyWh) {
    }

    /**
     * What a charger showed of its smart charging.
     *
     * @param chargePointId the charger
     * @param unit the rate unit it takes, {@code A} or {@code W}, learnt from its configuration or answers; null
     *             when not learnt
     * @param txDefaultRejected it rejects TxDefaultProfiles
     * @param txProfileRejected it rejects TxProfiles
     * @param noSmartCharging it answered NotSupported: no smart charging at all
     * @param firmwareVersion its firmware when this was learnt (null if unknown): a new firmware is asked again
     * @param learntAt when this was last learnt
     * @param switchesPhases its {@code ConnectorSwitch3to1PhaseSupported} said true (since 2.4)
     * @param reactionTime how long it was seen to take, at most, from accepting a lower limit to a meter reading
     *                     within it; null when not measured (since 2.4)
     */
    record ChargerCapabilities(String chargePointId, String unit, boolean txDefaultRejected,
                               boolean txProfileRejected, boolean noSmartCharging, String firmwareVersion,
                               Instant learntAt, boolean switchesPhases, Duration reactionTime) {

        /** As before 2.4: a charger not known to switch phases, its reaction time not measured. */
        public ChargerCapabilities(String chargePointId, String unit, boolean txDefaultRejected,
                                   boolean txProfileRejected, boolean noSmartCharging, String firmwareVersion,
                                   Instant learntAt) {
            this(chargePointId, unit, txDefaultRejected, txProfileRejected, noSmartCharging, firmwareVersion,
                    learntAt, false, null);
        }
    }

    /** Everything kept. */
    record Remembered(List<SessionMode> sessionModes, java.util.Map<String, String> chargerModes,
                      List<ChargerCapabilities> capabilities) {
        public Remembered {
            sessionModes = List.copyOf(sessionModes);
            chargerModes = java.util.Map.copyOf(chargerModes);
            capabilities = List.copyOf(capabilities);
        }
    }

    /** Reads everything kept (a few rows per charger). */
    Remembered remembered();

    /** Keeps a session's mode, replacing the connector's earlier one. */
    CompletionStage<Void> saveSessionMode(SessionMode mode);

    /** Forgets the connector's session mode (its session ended). */
    CompletionStage<Void> forgetSessionMode(String chargePointId, int connectorId);

    /** Keeps a charger's default mode set at run time; null forgets it (the configured one applies again). */
    CompletionStage<Void> saveChargerMode(String chargePointId, String mode);

    /** Keeps what the balancer learnt of a charger, replacing what was kept. */
    CompletionStage<Void> saveCapabilities(ChargerCapabilities capabilities);
}
