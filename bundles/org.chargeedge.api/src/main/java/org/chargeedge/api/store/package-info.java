/**
 * The site's durable store: transactions and meter values the chargers sent,
 * charger records, the outbound journal for the upstream link, persistence
 * for the local authorization list and cache, and (since 2.3) the charging
 * profiles the CSMS set, what the load balancer keeps across restarts, commit
 * statistics and the meter value history; since 2.4 whether a charger
 * switches between 3 phases and 1, and how long it takes to follow a limit. Every write completes its stage
 * only once the data is committed and synced to disk.
 */
@Export
@Version("2.5.0")
package org.chargeedge.api.store;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
