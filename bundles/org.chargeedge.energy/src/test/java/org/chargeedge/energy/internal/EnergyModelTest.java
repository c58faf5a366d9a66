package org.chargeedge.energy.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

import org.chargeedge.api.energy.EnergySnapshot;
import org.chargeedge.api.energy.Freshness;
import org.chargeedge.api.energy.Measurement;
import org.chargeedge.api.energy.MeasurementKey;
import org.chargeedge.api.energy.Meter;
import org.chargeedge.api.energy.PhaseRef;
import org.chargeedge.api.energy.Quantity;
import org.junit.jupiter.api.Test;

class EnergyModelTest {

    private static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");
    private static final MeasurementKey GRID = MeasurementKey.of(Meter.GRID, Quantity.POWER);
    private static final MeasurementKey GRID_L2 = new MeasurementKey(Meter.GRID, Quantity.CURRENT, PhaseRef.L2);

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private Instant wall = T0;
    private final EnergyModel model = new EnergyModel(new Clock() {
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return wall; }
    }, nanos::get);

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
        wall = wall.plus(d);
    }

    private static Measurement m(MeasurementKey key, double value, Instant at, int staleSeconds) {
        return new Measurement(key, value, at, Duration.ofSeconds(staleSeconds), "test");
    }

    @Test
    void aFreshValueIsInTheSnapshotAndGoesUnknownAfterItsTimeout() {
        model.accept(m(GRID, 1500, T0, 10));
        assertThat(model.snapshot().value(Meter.GRID, Quantity.POWER)).hasValue(1500);

        advance(Duration.ofSeconds(10));
        assertThat(model.snapshot().value(GRID)).hasValue(1500);
        advance(Duration.ofMillis(1));
        assertThat(model.snapshot().value(GRID)).isEmpty();
        assertThat(model.snapshot().measurements()).isEmpty();
    }

    @Test
    void theLatestMeasurementPerKeyWinsAndKeysAreIndependent() {
        model.accept(m(GRID, 1500, T0, 60));
        model.accept(m(GRID_L2, 7.5, T0, 60));
        model.accept(m(GRID, -300, T0, 60));
        EnergySnapshot s = model.snapshot();
        assertThat(s.value(GRID)).hasValue(-300);
        assertThat(s.value(Meter.GRID, Quantity.CURRENT, PhaseRef.L2)).hasValue(7.5);
        assertThat(s.value(Meter.GRID, Quantity.CURRENT, PhaseRef.L1)).isEmpty();
    }

    @Test
    void unknownRemovesTheValueNeverZero() {
        model.accept(m(GRID, 1500, T0, 60));
        assertThat(model.unknown(GRID)).isTrue();
        assertThat(model.snapshot().value(GRID)).isEmpty();
        assertThat(model.unknown(GRID)).as("already unknown").isFalse();
    }

    @Test
    void anOldMeasurementStartsWithItsAgeAndAnExpiredOneIsRefused() {
        // retained data measured 50 s ago with a 60 s timeout: 10 s left
        assertThat(model.accept(m(GRID, 100, T0.minusSeconds(50), 60))).isTrue();
        advance(Duration.ofSeconds(11));
        assertThat(model.snapshot().value(GRID)).isEmpty();

        assertThat(model.accept(m(GRID, 100, wall.minusSeconds(61), 60))).isFalse();
        assertThat(model.snapshot().value(GRID)).isEmpty();
    }

    @Test
    void anExpiredArrivalReplacesAnOlderFreshValueWithUnknown() {
        model.accept(m(GRID, 100, T0, 60));
        model.accept(m(GRID, 200, T0.minusSeconds(120), 60));
        assertThat(model.snapshot().value(GRID)).as("the source's latest word is that it has nothing fresh").isEmpty();
    }

    @Test
    void aWallClockJumpDoesNotChangeFreshness() {
        model.accept(m(GRID, 100, T0, 30));
        wall = wall.plus(Duration.ofHours(2)); // NTP answers after a power cut; monotonic time stands still
        assertThat(model.snapshot().value(GRID)).hasValue(100);
        nanos.addAndGet(Duration.ofSeconds(31).toNanos());
        assertThat(model.snapshot().value(GRID)).isEmpty();
    }

    @Test
    void aSnapshotIsImmutableAndDoesNotFollowLaterChanges() {
        model.accept(m(GRID, 100, T0, 30));
        EnergySnapshot s = model.snapshot();
        model.accept(m(GRID, 200, T0, 30));
        assertThat(s.value(GRID)).hasValue(100);
        assertThat(s.takenAt()).isEqualTo(T0);
        assertThatThrownBy(() -> s.measurements().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aFutureTimestampCountsAsFreshNotAsExtraLife() {
        model.accept(m(GRID, 100, T0.plusSeconds(3600), 10));
        advance(Duration.ofSeconds(11));
        assertThat(model.snapshot().value(GRID)).isEmpty();
    }

    private static Measurement replayed(MeasurementKey key, double value, int staleSeconds) {
        return new Measurement(key, value, T0, Duration.ofSeconds(staleSeconds), "test",
                Measurement.Timing.AGE_UNKNOWN, null);
    }

    @Test
    void aValueOfUnknownAgeIsWithheldUntilConfirmedAndThenFresh() {
        assertThat(model.accept(replayed(GRID, 1500, 60))).as("not usable").isFalse();
        EnergySnapshot s = model.snapshot();
        assertThat(s.value(GRID)).isEmpty();
        assertThat(s.measurement(GRID)).isEmpty();
        assertThat(s.freshness(GRID)).isEqualTo(Freshness.AGE_UNKNOWN);
        assertThat(s.withheld().get(GRID).value()).isEqualTo(1500);
        assertThat(s.withheld().get(GRID).freshAt(T0)).isFalse();

        assertThat(model.accept(m(GRID, 1400, T0, 60))).isTrue();
        assertThat(model.snapshot().freshness(GRID)).isEqualTo(Freshness.FRESH);
        assertThat(model.snapshot().value(GRID)).hasValue(1400);
    }

    @Test
    void freshnessTellsStaleFromMissing() {
        model.accept(m(GRID, 100, T0, 10));
        assertThat(model.snapshot().freshness(GRID_L2)).isEqualTo(Freshness.MISSING);
        advance(Duration.ofSeconds(11));
        assertThat(model.snapshot().freshness(GRID)).isEqualTo(Freshness.STALE);
        model.accept(replayed(GRID_L2, 7, 10));
        advance(Duration.ofSeconds(11));
        assertThat(model.snapshot().freshness(GRID_L2)).as("unconfirmed, then timed out").isEqualTo(Freshness.STALE);
        model.unknown(GRID);
        assertThat(model.snapshot().freshness(GRID)).isEqualTo(Freshness.MISSING);
    }
}
