/**
 * The upstream link to the site's cloud central system (CSMS): its state per charger.
 */
@Export
@Version("1.1.0")
package org.chargeedge.api.upstream;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
