/**
 * The local load balancer as other bundles see it: its site figures and, per connector, the limit it
 * decided and why ({@link BalancerStatus}, read-only), and the charging modes an operator may set
 * ({@link BalancerModes}).
 *
 * <p>1.1: a site's price source, a connector's idTag group.
 * <p>1.2: a Scheduled session's energy target as it was set.
 */
@Export
@Version("1.2.0")
package org.chargeedge.api.balancer;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
