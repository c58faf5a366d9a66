package org.chargeedge.balancer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.chargeedge.api.energy.PriceForecast;
import org.chargeedge.api.energy.PriceSeries;
import org.chargeedge.api.energy.PriceSeries.Interval;
import org.chargeedge.balancer.core.SiteSnapshot.Tariff;
import org.junit.jupiter.api.Test;

/**
 * A price series where it covers a time and while it is fresh, the configured tariff elsewhere; a stale or ended
 * series not at all. (The series over a real broker, and a Scheduled session choosing its cheapest hours, are in
 * the MQTT bundle's {@code PricesOverMqttTest}.)
 */
class PricesTest {

    static final Instant T0 = Instant.parse("2026-05-04T10:00:00Z");
    /** 0.30 all day, 0.10 from 22:00 to 06:00 (UTC). */
    final TimeOfUseTariff tariff = TimeOfUseTariff.parse("Daily 22-6=0.10", 0.30, "UTC");
    final Prices prices = new Prices();

    /** Hourly prices from 10:00 to 14:00, received at T0, valid for 24 h. */
    static PriceSeries series(Instant received) {
        return new PriceSeries(List.of(new Interval(T0, T0.plus(Duration.ofHours(1)), 0.25),
                new Interval(T0.plus(Duration.ofHours(1)), T0.plus(Duration.ofHours(2)), -0.02),
                new Interval(T0.plus(Duration.ofHours(2)), T0.plus(Duration.ofHours(4)), 0.40)), received,
                received.plus(Duration.ofHours(24)), "MQTT energy/prices");
    }

    @Test
    void withoutASeriesTheTariff() {
        Tariff t = prices.tariff(tariff, T0);
        assertThat(t.priceAt(T0)).isEqualTo(0.30);
        assertThat(prices.source()).isEqualTo("tariff: 1 window, 0.300/kWh elsewhere");
        PriceForecast none = Optional::empty;
        prices.use(() -> none);
        prices.tariff(tariff, T0);
        assertThat(prices.source()).isEqualTo("tariff: 1 window, 0.300/kWh elsewhere (no price series received yet)");
    }

    @Test
    void aFreshSeriesWinsWhereItCoversATimeAndTheTariffHoldsElsewhere() {
        PriceSeries s = series(T0);
        prices.use(() -> () -> Optional.of(s));
        Tariff t = prices.tariff(tariff, T0.plus(Duration.ofMinutes(30)));
        assertThat(t.priceAt(T0.plus(Duration.ofMinutes(30)))).isEqualTo(0.25);
        assertThat(t.priceAt(T0.plus(Duration.ofMinutes(90)))).isEqualTo(-0.02);
        assertThat(t.priceAt(T0.plus(Duration.ofHours(3)))).isEqualTo(0.40);
        assertThat(t.priceAt(T0.plus(Duration.ofHours(5)))).isEqualTo(0.30);
        assertThat(t.priceAt(T0.plus(Duration.ofHours(13)))).isEqualTo(0.10);
        assertThat(prices.source()).isEqualTo("price series from MQTT energy/prices, 3 prices until "
                + "2026-05-04T14:00:00Z (received 2026-05-04T10:00:00Z); tariff: 1 window, 0.300/kWh elsewhere where "
                + "it has none");
    }

    @Test
    void aStaleOrEndedSeriesIsNotUsed() {
        // received a day and a half ago: older than its 24 h, although its prices reach into the future
        PriceSeries old = new PriceSeries(List.of(new Interval(T0.minus(Duration.ofHours(36)),
                T0.plus(Duration.ofHours(12)), 0.01)), T0.minus(Duration.ofHours(36)),
                T0.minus(Duration.ofHours(12)), "MQTT energy/prices");
        prices.use(() -> () -> Optional.of(old));
        assertThat(prices.tariff(tariff, T0).priceAt(T0)).isEqualTo(0.30);
        assertThat(prices.source()).isEqualTo("tariff: 1 window, 0.300/kWh elsewhere (price series from MQTT "
                + "energy/prices not used: stale: received 2026-05-02T22:00:00Z, older than 24 h)");

        PriceSeries s = series(T0);
        prices.use(() -> () -> Optional.of(s));
        Instant after = T0.plus(Duration.ofHours(5));
        assertThat(prices.tariff(tariff, after).priceAt(T0.plus(Duration.ofHours(3)))).isEqualTo(0.30);
        assertThat(prices.source()).endsWith("not used: it ended at 2026-05-04T14:00:00Z)");
    }
}
