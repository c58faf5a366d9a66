package org.chargeedge.http.internal;

import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;
import org.chargeedge.api.charger.SiteReadiness;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Felix health check: the OCPP central system runs and every site part it
 * requires (store, authorization, upstream) is there. Whether its port is
 * listening is not in a public API yet: the central system being active is
 * the nearest (it binds the port when it activates, and fails to activate
 * without it).
 */
@Component(property = {HealthCheck.NAME + "=Site ready", HealthCheck.TAGS + "=" + HealthServlet.TAG,
        HealthCheck.TAGS + "=ocpp"})
public class SiteReadyCheck implements HealthCheck {

    private final SiteServices site;

    @Activate
    public SiteReadyCheck(@Reference SiteServices site) {
        this.site = site;
    }

    @Override
    public Result execute() {
        SiteReadiness r = site.siteView().readiness();
        if (r.ready()) {
            return new Result(Result.Status.OK, "central system running; site ready"
                    + (r.required().isEmpty() ? "" : " (" + String.join(", ", r.required()) + ")"));
        }
        return new Result(Result.Status.CRITICAL, "chargers' calls wait: " + String.join(", ", r.missing())
                + " not running");
    }
}
