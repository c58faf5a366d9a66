package org.chargeedge.management.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.chargeedge.api.charger.OcppServerHealth;
import org.chargeedge.api.charger.SiteReadiness;
import org.chargeedge.api.charger.SiteView;
import org.chargeedge.api.store.SiteStore;
import org.chargeedge.api.store.StoreHealth;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The site's own health: the OCPP ports really answer (a probe through each,
 * not a flag), every required site part is running, and the store keeps what
 * it is given. The services are optional and dynamic so that an update of the
 * bundle providing them is seen as their absence, not as this source's.
 */
@Component(service = HealthSource.class)
public class SiteHealthSource implements HealthSource {

    // Set and cleared by DS on its threads, read by the job thread.
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile OcppServerHealth ocpp;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile SiteView site;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile SiteStore store;

    @Override
    public String problem(Duration timeout) {
        List<String> problems = new ArrayList<>();
        OcppServerHealth server = ocpp;
        if (server == null) {
            problems.add("the OCPP server is not running");
        } else {
            String p = server.probe(timeout);
            if (p != null) {
                problems.add(p);
            }
        }
        SiteView view = site;
        if (view == null) {
            problems.add("the site view is not available");
        } else {
            SiteReadiness r = view.readiness();
            if (!r.ready()) {
                problems.add("site parts not running: " + String.join(", ", r.missing()));
            }
        }
        SiteStore s = store;
        if (s != null) {
            StoreHealth h = s.health();
            if (!h.ok()) {
                problems.add("the store fails: " + h.problem());
            }
        }
        return problems.isEmpty() ? null : String.join("; ", problems);
    }
}
