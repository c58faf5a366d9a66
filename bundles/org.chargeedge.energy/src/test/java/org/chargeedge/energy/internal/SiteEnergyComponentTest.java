package org.chargeedge.energy.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.chargeedge.api.energy.Measurement;
import org.chargeedge.api.energy.MeasurementKey;
import org.chargeedge.api.energy.Meter;
import org.chargeedge.api.energy.Quantity;
import org.chargeedge.api.energy.SiteEnergy;
import org.junit.jupiter.api.Test;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;

class SiteEnergyComponentTest {

    private static final MeasurementKey PV = MeasurementKey.of(Meter.PV, Quantity.POWER);

    private final List<Event> posted = new CopyOnWriteArrayList<>();

    private SiteEnergyComponent withEventAdmin() throws Exception {
        SiteEnergyComponent c = new SiteEnergyComponent();
        Field f = SiteEnergyComponent.class.getDeclaredField("eventAdmin");
        f.setAccessible(true);
        f.set(c, new EventAdmin() {
            @Override public void postEvent(Event event) { posted.add(event); }
            @Override public void sendEvent(Event event) { posted.add(event); }
        });
        return c;
    }

    @Test
    void postsEachNewMeasurementAndEachValueThatBecameUnknown() throws Exception {
        SiteEnergyComponent c = withEventAdmin();
        Measurement m = new Measurement(PV, 4200, Instant.now(), Duration.ofSeconds(60), "solar/ac/power");
        c.accept(m);
        c.unknown(PV, "solar/ac/power");
        c.unknown(PV, "solar/ac/power");

        assertThat(posted).hasSize(2);
        assertThat(posted.get(0).getTopic()).isEqualTo(SiteEnergy.TOPIC_MEASUREMENT);
        assertThat(posted.get(0).getProperty(SiteEnergy.MEASUREMENT)).isEqualTo(m);
        assertThat(posted.get(1).getProperty(org.chargeedge.api.energy.SiteEnergy.KEY)).isEqualTo(PV);
        assertThat(posted.get(1).getProperty(SiteEnergy.MEASUREMENT)).isNull();
        assertThat(c.snapshot().value(PV)).isEmpty();
    }

    @Test
    void worksWithoutEventAdmin() {
        SiteEnergyComponent c = new SiteEnergyComponent();
        c.accept(new Measurement(PV, 1, Instant.now(), Duration.ofSeconds(60), "x"));
        assertThat(c.snapshot().value(PV)).hasValue(1);
    }
}
