/**
 * Local authorization as an OCPP 1.6 charge point does it: the Local
 * Authorization List, the Authorization Cache and the decision for an idTag.
 */
@Export
@Version("1.0.0")
package org.chargeedge.api.authorization;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
