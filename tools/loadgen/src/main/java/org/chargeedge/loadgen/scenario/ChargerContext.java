package org.chargeedge.loadgen.scenario;

/**
 * What a scenario knows about the charger it scripts.
 *
 * @param chargePointId the id in the URL, e.g. LG-0001
 * @param index 0-based charger number
 * @param idTag idTag for Start/StopTransaction
 * @param meterValuesPerTransaction MeterValues per transaction (transactions scenario)
 * @param feedback where to report errors found in answers
 */
public record ChargerContext(String chargePointId, int index, String idTag, int meterValuesPerTransaction,
        Feedback feedback) {
}
