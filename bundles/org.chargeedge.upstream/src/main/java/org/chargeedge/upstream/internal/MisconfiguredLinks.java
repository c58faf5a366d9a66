package org.chargeedge.upstream.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.chargeedge.api.charger.ChargerInfo;
import org.chargeedge.api.charger.SiteView;
import org.chargeedge.api.store.OutboundJournal;
import org.chargeedge.api.store.ParkedMessages;
import org.chargeedge.api.upstream.UpstreamStatus;

/**
 * The upstream status while the configuration keeps the link from starting: every charger's link
 * is shown down, with "misconfigured: KEY: PROBLEM" as its last problem, so that
 * {@code chargeedge:upstream}, {@code chargeedge:charger ID} and the site view tell an installer
 * that a URL is configured but wrong, rather than nothing at all (which reads as standalone).
 * Holds no threads and no connections; queued messages stay in the store for when the link runs.
 */
final class MisconfiguredLinks implements UpstreamStatus {

    private final List<ConfigurationProblem> problems;
    private final SiteView site;
    private final OutboundJournal queue;
    private final ParkedMessages parked;
    private final Instant since;
    private final String lastProblem;

    MisconfiguredLinks(List<ConfigurationProblem> problems, SiteView site, OutboundJournal queue, ParkedMessages parked,
                       Instant since) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("no configuration problem");
        }
        this.problems = List.copyOf(problems);
        this.site = site;
        this.queue = queue;
        this.parked = parked;
        this.since = since;
        List<String> parts = new ArrayList<>();
        for (ConfigurationProblem p : problems) {
            parts.add(p.shortText());
        }
        this.lastProblem = "misconfigured: " + String.join("; ", parts);
    }

    List<ConfigurationProblem> problems() {
        return problems;
    }

    /** The ERROR line that follows the problems' own lines when the component does not start the link. */
    String notStartedLine() {
        return "Upstream link misconfigured, not started (" + problems.size() + " problem"
                + (problems.size() == 1 ? "" : "s") + " above); the chargers are served locally and nothing goes to"
                + " the CSMS until " + UpstreamComponent.PID + " is fixed";
    }

    /** The head of {@code chargeedge:upstream}: what is wrong and how to fix it. */
    String describe() {
        StringBuilder out = new StringBuilder("upstream link MISCONFIGURED, not started (the site runs locally);"
                + " fix the configuration " + UpstreamComponent.PID + ":\n");
        for (ConfigurationProblem p : problems) {
            out.append("  ").append(p.getMessage()).append('\n');
        }
        return out.toString();
    }

    /** The connected chargers and those with queued messages, each shown misconfigured. */
    @Override
    public List<Link> links() {
        Set<String> ids = new LinkedHashSet<>();
        site.chargers().stream().filter(ChargerInfo::connected).map(ChargerInfo::chargePointId).forEach(ids::add);
        ids.addAll(queue.chargersWithMessages());
        List<Link> links = new ArrayList<>();
        for (String id : ids) {
            links.add(misconfigured(id));
        }
        return links;
    }

    /**
     * Any charger: the site view asks for each one. Does not call back into the site view, which
     * asks this from within its own {@code charger(id)}.
     */
    @Override
    public Optional<Link> link(String chargePointId) {
        return Optional.of(misconfigured(chargePointId));
    }

    private Link misconfigured(String chargePointId) {
        int depth = queue.depth(chargePointId);
        Instant oldest = depth == 0 ? null : queue.peek(chargePointId, 1).stream().findFirst()
                .map(m -> m.queuedAt()).orElse(null);
        return new Link(chargePointId, false, null, since, lastProblem, depth, oldest,
                parked.parked(chargePointId).size(), false);
    }

    @Override
    public int replayFailed(String chargePointId) {
        throw new IllegalStateException("the upstream link is misconfigured and not running: fix "
                + UpstreamComponent.PID + " first (chargeedge:upstream lists the problems)");
    }
}
