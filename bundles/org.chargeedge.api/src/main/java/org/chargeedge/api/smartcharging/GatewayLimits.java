package org.chargeedge.api.smartcharging;

import java.util.OptionalDouble;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The limit the gateway's load balancer gives a connector now, so that what is reported about a
 * connector (a composite schedule for the CSMS) includes the local allocation.
 */
@ProviderType
public interface GatewayLimits {

    /**
     * The limit in force at the connector, in amps per phase (the TxProfile the charger has, else
     * the balancer's latest decision); empty when the balancer gives this connector none.
     */
    OptionalDouble limitA(String chargePointId, int connectorId);
}
