package org.chargeedge.api.energy;

import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A dynamic electricity price series (spot or day-ahead prices, for example published over MQTT), for charging in
 * the cheapest hours. The load balancer uses it, where it covers a time and while it is fresh, instead of the
 * configured time-of-use tariff.
 */
@ProviderType
public interface PriceForecast {

    /**
     * The latest good series, whatever its age: a consumer asks {@link PriceSeries#usableAt} before it uses it.
     * Empty until a good series has arrived.
     */
    Optional<PriceSeries> series();
}
