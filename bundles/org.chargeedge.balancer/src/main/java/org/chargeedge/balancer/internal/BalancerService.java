package org.chargeedge.balancer.internal;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import org.chargeedge.api.balancer.BalancerModes;
import org.chargeedge.api.balancer.BalancerStatus;
import org.chargeedge.api.balancer.ChargingMode;
import org.chargeedge.balancer.core.Allocation;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The balancer's API services over the controller: its last decision as {@link BalancerStatus} (read from the
 * immutable {@link BalanceStatus} the controller thread publishes, on the caller's thread), and
 * {@link BalancerModes}, which posts to the controller thread as {@code chargeedge:mode} does.
 */
@Component(service = {BalancerStatus.class, BalancerModes.class})
public class BalancerService implements BalancerStatus, BalancerModes {

    private final BalancerController controller;

    @Activate
    public BalancerService(@Reference BalancerComponent balancer) {
        this(balancer.controller());
    }

    BalancerService(BalancerController controller) {
        this.controller = controller;
    }

    @Override
    public Optional<Site> site() {
        BalanceStatus s = controller.status();
        return s == null ? Optional.empty() : Optional.of(site(s, controller.prices().source()));
    }

    @Override
    public List<Connector> connectors() {
        BalanceStatus s = controller.status();
        return s == null ? List.of() : s.connectors().stream().map(this::connector).toList();
    }

    @Override
    public Optional<Connector> connector(String chargerId, int connectorId) {
        BalanceStatus s = controller.status();
        return s == null ? Optional.empty() : s.connectors().stream()
                .filter(r -> r.at().chargerId().equals(chargerId) && r.at().connectorId() == connectorId)
                .findFirst().map(this::connector);
    }

    @Override
    public CompletionStage<String> setSessionMode(String chargerId, int connectorId, ChargingMode mode,
                                                  Target target) {
        return controller.setSessionMode(chargerId, connectorId, SiteSettings.core(mode), target);
    }

    @Override
    public CompletionStage<String> setChargerDefault(String chargerId, ChargingMode mode) {
        return controller.setChargerDefault(chargerId, SiteSettings.core(mode));
    }

    @Override
    public CompletionStage<String> clearChargerDefault(String chargerId) {
        return controller.clearChargerDefault(chargerId);
    }

    static Site site(BalanceStatus s, String priceSource) {
        return new Site(s.at(), s.enabled(), s.gridLimitA(), s.gridLimitDefault(), s.safeBudgetA(),
                s.safeBudgetInUse(), s.budget(), new PhaseCurrents(s.available().l1(), s.available().l2(),
                        s.available().l3()), s.enabled() ? priceSource : null);
    }

    private Connector connector(BalanceStatus.ConnectorRow r) {
        Allocation.Reason why = r.why();
        SessionGroups.Group group = r.session() == null ? null : controller.groups().of(r.at());
        return new Connector(r.at().chargerId(), r.at().connectorId(),
                r.session() == null ? null : Integer.valueOf(r.session()), r.limitA(),
                ReasonKind.valueOf(why.kind().name()), why.text(), why.until(), SiteSettings.api(r.modeOf().mode()),
                r.modeOf().origin(), r.priority(), r.controlKind(), r.departure(), r.energyNeededWh(),
                group == null ? null : group.name(), r.energyTargetWh());
    }
}
