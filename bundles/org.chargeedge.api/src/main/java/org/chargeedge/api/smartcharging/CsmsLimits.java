package org.chargeedge.api.smartcharging;

import java.time.Instant;
import java.util.OptionalDouble;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The upper bounds the CSMS set with its own charging profiles (SetChargingProfile through the
 * upstream link), evaluated as an OCPP 1.6 charger evaluates its profile stack: per purpose the
 * valid profile of the highest stack level, the TxProfile only during its transaction, else the
 * TxDefaultProfile, and the ChargePointMaxProfile over both.
 */
@ProviderType
public interface CsmsLimits {

    /**
     * The CSMS's limit for a connector at {@code at}, in amps per phase; empty when no profile of
     * the CSMS bounds it. A limit in W is turned into amps with the configured voltage over
     * {@code phases}; a ChargePointMaxProfile is shared by the charger's connectors in transaction.
     *
     * @param connectorId at least 1
     * @param phases the phases the connector charges on (1 to 3)
     */
    OptionalDouble limitA(String chargePointId, int connectorId, Instant at, int phases);
}
