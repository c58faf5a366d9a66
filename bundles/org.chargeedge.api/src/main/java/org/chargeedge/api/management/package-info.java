/**
 * Remote management of a gateway: its bundles, update jobs with health checks
 * and automatic rollback, configuration validated against metatype with
 * snapshots, and the fleet's release channel. {@link
 * org.chargeedge.api.management.Management} is the one service; the shell
 * commands and the HTTP resources are thin layers over it. Everything it
 * returns is an immutable record; everything it refuses is a {@link
 * org.chargeedge.api.management.ManagementException} whose {@link
 * org.chargeedge.api.management.ManagementException.Reason} maps to an HTTP
 * status.
 */
@Export
@Version("1.2.0")
package org.chargeedge.api.management;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
