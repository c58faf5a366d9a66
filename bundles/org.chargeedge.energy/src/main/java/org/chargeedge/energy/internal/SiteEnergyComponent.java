package org.chargeedge.energy.internal;

import java.time.Clock;
import java.util.Map;

import org.chargeedge.api.energy.EnergySnapshot;
import org.chargeedge.api.energy.Measurement;
import org.chargeedge.api.energy.MeasurementKey;
import org.chargeedge.api.energy.MeasurementSink;
import org.chargeedge.api.energy.SiteEnergy;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;

/**
 * The site energy model as a service: inputs write through
 * {@link MeasurementSink}, consumers read {@link SiteEnergy#snapshot()} and
 * may follow {@link SiteEnergy#TOPIC_MEASUREMENT}.
 */
@Component(service = {SiteEnergy.class, MeasurementSink.class}, immediate = true)
public class SiteEnergyComponent implements SiteEnergy, MeasurementSink {

    private final EnergyModel model = new EnergyModel(Clock.systemUTC(), System::nanoTime);

    /** Optional: the model works without EventAdmin, consumers then poll snapshots. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile EventAdmin eventAdmin;

    @Override
    public void accept(Measurement measurement) {
        if (model.accept(measurement)) {
            post(Map.of(KEY, measurement.key(), MEASUREMENT, measurement));
        } else {
            post(Map.of(KEY, measurement.key()));
        }
    }

    @Override
    public void unknown(MeasurementKey key, String source) {
        if (model.unknown(key)) {
            post(Map.of(KEY, key));
        }
    }

    @Override
    public EnergySnapshot snapshot() {
        return model.snapshot();
    }

    private void post(Map<String, Object> properties) {
        EventAdmin admin = eventAdmin;
        if (admin != null) {
            admin.postEvent(new Event(TOPIC_MEASUREMENT, properties));
        }
    }
}
