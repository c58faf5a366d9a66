/**
 * The allocation core of local load balancing: a pure function from a
 * {@link org.chargeedge.balancer.core.SiteSnapshot} (limits, measurements
 * with their freshness, connectors, tariff, the core's previous state) to a
 * limit per connector with its reason ({@link org.chargeedge.balancer.core.Allocation}).
 * No OSGi, no I/O, no clock: time comes in the snapshot, so the same snapshot
 * always gives the same allocation. Since 1.1: the battery policy
 * ({@link org.chargeedge.balancer.core.BatteryPolicy}) and 1/3-phase switching
 * ({@link org.chargeedge.balancer.core.PhaseSwitching}) in the settings. Since
 * 1.2: the battery's maximum charging power and full state of charge in the
 * policy, its state of charge in the measurements, the phases a session's car
 * was seen on in its memory.
 */
@Export
@Version("1.2.0")
package org.chargeedge.balancer.core;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
