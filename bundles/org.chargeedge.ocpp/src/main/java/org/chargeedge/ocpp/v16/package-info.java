/**
 * OCPP 1.6 edition 2 messages as immutable types: one request and one
 * confirmation record per action, with the shared data types and enumerations.
 */
@Export
@Version("1.0.0")
package org.chargeedge.ocpp.v16;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
