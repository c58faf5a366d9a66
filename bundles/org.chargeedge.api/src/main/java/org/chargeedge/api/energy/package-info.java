/**
 * The site's energy model: what the grid connection, the PV inverters, the
 * battery, the building and sub-circuits draw or produce, each measurement
 * with its time and a staleness timeout. Stale or missing means unknown,
 * never zero. Signs: grid power positive is import, negative export; battery
 * power positive is charging; PV power is production, never negative;
 * building and circuit power are consumption.
 *
 * <p>1.2: a value's age may be unknown (replayed from a retained message and
 * not yet confirmed): {@link org.chargeedge.api.energy.Measurement.Timing#AGE_UNKNOWN},
 * kept out of {@link org.chargeedge.api.energy.EnergySnapshot#measurements()} and
 * reported by {@link org.chargeedge.api.energy.EnergySnapshot#freshness}; a device's
 * clock skew travels with its measurements.
 *
 * <p>1.3: a dynamic price series, {@link org.chargeedge.api.energy.PriceForecast} and
 * {@link org.chargeedge.api.energy.PriceSeries}.
 */
@Export
@Version("1.3.0")
package org.chargeedge.api.energy;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
