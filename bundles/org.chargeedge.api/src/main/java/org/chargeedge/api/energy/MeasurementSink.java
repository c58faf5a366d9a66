package org.chargeedge.api.energy;

import org.osgi.annotation.versioning.ProviderType;

/** Where inputs (MQTT, Modbus, ...) put what they measured. */
@ProviderType
public interface MeasurementSink {

    void accept(Measurement measurement);

    /** The source said the value is unavailable now: it is unknown until measured again. */
    void unknown(MeasurementKey key, String source);
}
