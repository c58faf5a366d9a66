package org.chargeedge.balancer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.chargeedge.balancer.core.SiteSnapshot.Tariff;
import org.junit.jupiter.api.Test;

/** The configuration's weekly price windows, parsed and laid out as the core's tariff. */
class TimeOfUseTariffTest {

    @Test
    void weeklyWindowsBecomePricesAtTheirLocalTimesIncludingPastMidnight() {
        TimeOfUseTariff t = TimeOfUseTariff.parse("Mon-Fri 22:00-06:00=0.12, Sat-Sun 0-24=0.15, Wed 12-14=0.05",
                0.30, "Europe/Berlin");
        // Wednesday 2026-05-06, 12:00 UTC = 14:00 in Berlin (summer time): the midday window just ended
        Tariff at = t.at(Instant.parse("2026-05-06T11:59:00Z"));
        assertThat(at.priceAt(Instant.parse("2026-05-06T11:59:00Z"))).isEqualTo(0.05);
        assertThat(at.priceAt(Instant.parse("2026-05-06T12:00:00Z"))).isEqualTo(0.30);
        // Wednesday 22:00 Berlin = 20:00 UTC, until Thursday 06:00 Berlin = 04:00 UTC
        assertThat(at.priceAt(Instant.parse("2026-05-06T19:59:00Z"))).isEqualTo(0.30);
        assertThat(at.priceAt(Instant.parse("2026-05-06T20:00:00Z"))).isEqualTo(0.12);
        assertThat(at.priceAt(Instant.parse("2026-05-07T03:59:00Z"))).isEqualTo(0.12);
        assertThat(at.priceAt(Instant.parse("2026-05-07T04:00:00Z"))).isEqualTo(0.30);
        // Friday's night runs into Saturday, then the weekend price holds all day
        assertThat(at.priceAt(Instant.parse("2026-05-09T02:00:00Z"))).isEqualTo(0.12);
        assertThat(at.priceAt(Instant.parse("2026-05-09T12:00:00Z"))).isEqualTo(0.15);
        assertThat(at.priceAt(Instant.parse("2026-05-10T21:59:00Z"))).isEqualTo(0.15);
        // beyond the horizon: the default price
        assertThat(at.priceAt(Instant.parse("2026-05-20T12:00:00Z"))).isEqualTo(0.30);
    }

    @Test
    void noWindowsIsOnePriceAndDailyIsEveryDay() {
        assertThat(TimeOfUseTariff.parse("", 0.2, "UTC").at(Instant.EPOCH).windows()).isEmpty();
        Tariff daily = TimeOfUseTariff.parse("Daily 1:30-2:00=0.01", 0.2, "UTC").at(Instant.parse(
                "2026-05-06T00:00:00Z"));
        for (int d = 6; d <= 12; d++) {
            assertThat(daily.priceAt(Instant.parse("2026-05-%02dT01:45:00Z".formatted(d)))).isEqualTo(0.01);
        }
        assertThat(daily.priceAt(Instant.parse("2026-05-06T02:00:00Z"))).isEqualTo(0.2);
    }

    @Test
    void mistakesAreNamed() {
        assertThatThrownBy(() -> TimeOfUseTariff.parse("Mon-Fri 22:00-06:00", 0, "UTC"))
                .hasMessageContaining("is not DAYS HH:MM-HH:MM=PRICE");
        assertThatThrownBy(() -> TimeOfUseTariff.parse("Funday 1-2=0.1", 0, "UTC"))
                .hasMessageContaining("'Funday' is not a day");
        assertThatThrownBy(() -> TimeOfUseTariff.parse("Mon 25-2=0.1", 0, "UTC"))
                .hasMessageContaining("'25' is not a time of day");
        assertThatThrownBy(() -> TimeOfUseTariff.parse("Mon 1-2=-0.1", 0, "UTC"))
                .hasMessageContaining("a price is a number >= 0");
        assertThatThrownBy(() -> TimeOfUseTariff.parse("", 0, "Mars/Olympus"))
                .hasMessageContaining("is not a time zone");
        assertThatThrownBy(() -> TimeOfUseTariff.parse("", -1, "UTC")).hasMessageContaining("negative");
    }
}
