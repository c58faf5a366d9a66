package org.chargeedge.balancer.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import org.chargeedge.api.energy.PriceForecast;
import org.chargeedge.api.energy.PriceSeries;
import org.chargeedge.balancer.core.SiteSnapshot.PriceWindow;
import org.chargeedge.balancer.core.SiteSnapshot.Tariff;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The prices Scheduled sessions are planned with: a dynamic price series ({@link PriceForecast}, optional) where it
 * covers a time and while it is fresh, the configured time-of-use tariff elsewhere. A stale series (older than its
 * maximum age) or one past its end is not used at all.
 *
 * <p>Threads: {@link #tariff} runs on the controller thread, which alone writes {@link #source}; DS sets the
 * forecast's supplier on its thread; both are volatile, read by the status (shell, API) on any thread.
 */
final class Prices {

    private static final Logger LOG = LoggerFactory.getLogger(Prices.class);

    private volatile Supplier<PriceForecast> forecast = () -> null;
    private volatile String source = "tariff";
    /** What kind of source was used last (series, tariff, stale, ...), so that only changes are logged. */
    private String lastKind;

    /** Where a price series comes from; the supplier returns null while there is none. */
    void use(Supplier<PriceForecast> forecast) {
        this.forecast = forecast;
    }

    /** Where the prices of the last run came from, in words. Any thread. */
    String source() {
        return source;
    }

    /** The core's tariff at {@code now}: the series' windows first (they win where they cover), then the tariff's. */
    Tariff tariff(TimeOfUseTariff configured, Instant now) {
        Tariff tariff = configured.at(now);
        PriceForecast f = forecast.get();
        Optional<PriceSeries> series = f == null ? Optional.empty() : f.series();
        if (series.isEmpty()) {
            note(f == null ? "tariff" : "none yet", configured.describe() + (f == null ? ""
                    : " (no price series received yet)"));
            return tariff;
        }
        PriceSeries s = series.get();
        if (!s.usableAt(now)) {
            String why = now.isBefore(s.validUntil()) ? "it ended at " + s.end()
                    : "stale: received " + s.receivedAt() + ", older than "
                    + age(Duration.between(s.receivedAt(), s.validUntil()));
            note("unused", configured.describe() + " (price series from " + s.source() + " not used: " + why + ")");
            return tariff;
        }
        List<PriceWindow> windows = new ArrayList<>();
        Instant from = now.minus(Duration.ofDays(1));
        for (PriceSeries.Interval i : s.intervals()) {
            if (i.end().isAfter(from)) {
                windows.add(new PriceWindow(i.start(), i.end(), i.pricePerKwh()));
            }
        }
        windows.addAll(tariff.windows());
        note("series", "price series from " + s.source() + ", " + s.intervals().size() + " prices until " + s.end()
                + " (received " + s.receivedAt() + "); " + configured.describe() + " where it has none");
        return new Tariff(windows, tariff.defaultPricePerKwh());
    }

    /** A maximum age in words: whole hours, else minutes, else seconds. */
    static String age(Duration d) {
        return d.toHours() > 0 ? d.toHours() + " h" : d.toMinutes() > 0 ? d.toMinutes() + " min"
                : d.toSeconds() + " s";
    }

    private void note(String kind, String text) {
        source = text;
        if (!kind.equals(lastKind)) {
            if (lastKind != null || !kind.equals("tariff")) {
                LOG.info("Balancer: prices for Scheduled sessions: {}", text);
            }
            lastKind = kind;
        }
    }
}
