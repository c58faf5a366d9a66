package org.chargeedge.api.store;

import java.time.Instant;

/**
 * How many of one charger's StopTransaction and MeterValues named a transaction that is not its
 * own. The store applies none of them to a transaction and journals none of them for the CSMS; it
 * keeps each as evidence among the charger's parked messages (since 2.1).
 *
 * @param chargePointId the charger that sent them
 * @param ofOtherChargers how many named a transaction another charger started
 * @param neverIssued how many named a transaction id the store has no record of: one the gateway
 *        never issued (to this charger or any other)
 * @param lastAt when the last of them was received
 */
public record ForeignTransactionMessages(String chargePointId, int ofOtherChargers, int neverIssued,
                                         Instant lastAt) {

    /** Both kinds together. */
    public int total() {
        return ofOtherChargers + neverIssued;
    }
}
