package org.chargeedge.http.internal;

import java.util.List;

import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;
import org.chargeedge.api.upstream.UpstreamStatus;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Felix health check: the upstream links to the CSMS. A link that is down is a
 * warning, not a failure: the site keeps charging and the journal waits. Parked
 * messages (refused by the CSMS for good) are a warning too: an operator must
 * look at them. Without an upstream link (standalone site) the check is OK.
 */
@Component(property = {HealthCheck.NAME + "=Upstream link", HealthCheck.TAGS + "=" + HealthServlet.TAG,
        HealthCheck.TAGS + "=upstream"})
public class UpstreamCheck implements HealthCheck {

    private final SiteServices site;

    @Activate
    public UpstreamCheck(@Reference SiteServices site) {
        this.site = site;
    }

    @Override
    public Result execute() {
        if (site.upstream().isEmpty()) {
            return new Result(Result.Status.OK, "no upstream link runs (standalone site)");
        }
        List<UpstreamStatus.Link> links = site.upstream().get().links();
        long down = links.stream().filter(l -> !l.connected()).count();
        int queued = links.stream().mapToInt(UpstreamStatus.Link::queueDepth).sum();
        int parked = links.stream().mapToInt(UpstreamStatus.Link::failed).sum();
        String summary = (links.size() - down) + " of " + links.size() + " links up, " + queued + " queued, "
                + parked + " parked";
        if (down > 0 || parked > 0) {
            String problem = links.stream().filter(l -> !l.connected() && l.lastProblem() != null).findFirst()
                    .map(l -> "; " + l.chargePointId() + ": " + l.lastProblem()).orElse("");
            return new Result(Result.Status.WARN, summary + problem);
        }
        return new Result(Result.Status.OK, summary);
    }
}
