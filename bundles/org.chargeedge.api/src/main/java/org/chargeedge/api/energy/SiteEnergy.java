package org.chargeedge.api.energy;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The live energy model. Changes are also posted on EventAdmin topic
 * {@link #TOPIC_MEASUREMENT} with property {@link #KEY} (the
 * {@link MeasurementKey}) and, unless the value just became unknown,
 * {@link #MEASUREMENT} (the new {@link Measurement}), so consumers can react
 * to a new reading at once.
 */
@ProviderType
public interface SiteEnergy {

    String TOPIC_MEASUREMENT = "org/chargeedge/energy/MEASUREMENT";
    String MEASUREMENT = "measurement";
    String KEY = "key";

    /** The fresh measurements now. */
    EnergySnapshot snapshot();
}
