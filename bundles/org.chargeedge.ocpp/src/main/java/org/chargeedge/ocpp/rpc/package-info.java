/**
 * OCPP-J 1.6 RPC framing (CALL, CALLRESULT, CALLERROR), the JSON codec with
 * validation in both directions, and {@link org.chargeedge.ocpp.rpc.OcppEndpoint},
 * the call discipline of one connection. Knows nothing of sockets.
 */
@Export
@Version("1.2.0")
package org.chargeedge.ocpp.rpc;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
