/**
 * OCPP-J 1.6 RPC framing (CALL, CALLRESULT, CALLERROR) and the JSON codec with
 * validation in both directions. Knows nothing of sockets.
 */
@Export
@Version("1.0.0")
package org.chargeedge.ocpp.rpc;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
