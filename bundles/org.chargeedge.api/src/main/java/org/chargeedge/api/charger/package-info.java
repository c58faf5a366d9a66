/**
 * The site's chargers as services: {@link org.chargeedge.api.charger.ChargerCommands}
 * to call a connected charger, {@link org.chargeedge.api.charger.SiteView} for
 * the live state, {@link org.chargeedge.api.charger.ChargerCallHandler} (a
 * whiteboard) to take part in answering what chargers send, the site's
 * readiness ({@link org.chargeedge.api.charger.SiteReadiness}), and the
 * EventAdmin topics of {@link org.chargeedge.api.charger.ChargerEvents}, and
 * whether the OCPP server serves ({@link org.chargeedge.api.charger.OcppServerHealth}) and how it
 * answered the chargers' calls ({@link org.chargeedge.api.charger.CallStatistics}); what a charger
 * refused for the installer ({@link org.chargeedge.api.charger.ChargerDiagnostics}, since 1.6).
 */
@Export
@Version("1.6.0")
package org.chargeedge.api.charger;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
