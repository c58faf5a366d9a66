package org.chargeedge.upstream.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.chargeedge.api.upstream.UpstreamStatus;
import org.chargeedge.api.upstream.UpstreamStatus.Link;

/** Gogo commands (scope chargeedge): {@code upstream} and {@code replayfailed CHARGER}. Holds no state. */
public final class UpstreamShellCommands {

    /** Null when the gateway runs standalone. */
    private final UpstreamStatus status;
    /** Shown first when passwords go over plain ws:// (OCPP security profile 1); null otherwise. */
    private final String clearText;

    UpstreamShellCommands(UpstreamStatus status) {
        this(status, null);
    }

    UpstreamShellCommands(UpstreamStatus status, String clearText) {
        this.status = status;
        this.clearText = clearText;
    }

    /** One line per connected charger's link. */
    public String upstream() {
        if (status == null) {
            return "standalone: no CSMS url configured (org.chargeedge.upstream url, or CHARGEEDGE_UPSTREAM_URL);"
                    + " the store journals every transaction message for when one is set\n";
        }
        List<Link> links = status.links();
        // A link that did not start for its configuration says so first, and why.
        String head = status instanceof MisconfiguredLinks m ? m.describe()
                : clearText != null ? "WARNING: " + clearText + "\n" : "";
        if (links.isEmpty()) {
            return head + "no upstream links (no charger connected, no queue to deliver)";
        }
        // MODE: "charger" while the charger is connected, "drain" while the link only delivers the
        // queue of a charger that is gone (it closes when the queue is empty).
        StringBuilder out = new StringBuilder(head).append(String.format("%-20s %-7s %-26s %7s %12s %6s  %s%n",
                "CHARGER", "MODE", "LINK", "QUEUED", "OLDEST", "FAILED", "LAST PROBLEM"));
        Instant now = Instant.now();
        for (Link l : links) {
            String link = l.connected() ? "up since " + l.connectedSince() : "down since " + l.downSince();
            String oldest = l.oldestQueued() == null ? "-" : age(Duration.between(l.oldestQueued(), now));
            out.append(String.format("%-20s %-7s %-26s %7d %12s %6d  %s%n", l.chargePointId(),
                    l.draining() ? "drain" : "charger", shorten(link), l.queueDepth(),
                    oldest, l.failed(), l.lastProblem() == null ? "-" : l.lastProblem()));
        }
        return out.toString();
    }

    /** Puts the charger's parked (failed) messages back into its upstream queue. */
    public String replayfailed(String chargePointId) {
        if (status == null) {
            // Nothing the CSMS refused; the store's evidence may be parked all the same (chargeedge:parked).
            return "standalone: no upstream link, nothing to replay";
        }
        int n = status.replayFailed(chargePointId);
        return n + " failed message" + (n == 1 ? "" : "s") + " of " + chargePointId + " queued again";
    }

    private static String shorten(String s) {
        return s.length() <= 26 ? s : s.substring(0, 26);
    }

    static String age(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return s < 120 ? s + " s" : s < 7200 ? s / 60 + " min" : s / 3600 + " h";
    }
}
