/**
 * Smart charging between bundles: the limits the upstream central system (CSMS) set with its own
 * charging profiles, and the limits the gateway's load balancer gives the connectors.
 */
@Export
@Version("1.0.0")
package org.chargeedge.api.smartcharging;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
