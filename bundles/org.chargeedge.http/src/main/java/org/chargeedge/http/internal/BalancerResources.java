package org.chargeedge.http.internal;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.chargeedge.api.balancer.BalancerModes;
import org.chargeedge.api.balancer.BalancerStatus;
import org.chargeedge.api.balancer.ChargingMode;
import org.chargeedge.api.balancer.ModeRefusedException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The load balancer in the API: its site figures on {@code /api/site}, each charger's connectors' limits, reasons
 * and modes on {@code /api/chargers}, and setting a mode ({@code PUT} or {@code POST}
 * {@code /api/chargers/ID/connectors/N/mode} for a session, {@code /api/chargers/ID/mode} for the charger's
 * default). Without a balancer running the fields are absent and setting a mode is a 503.
 */
final class BalancerResources {

    /** The balancer answers from its own thread within milliseconds; this only bounds a stopping one. */
    private static final long MODE_WAIT_SECONDS = 5;

    private BalancerResources() {
    }

    /** Adds {@code balancer} to the site summary, if a balancer runs and has decided. */
    static void addSite(Map<String, Object> out, SiteServices site) {
        site.balancerStatus().flatMap(BalancerStatus::site).ifPresent(s -> {
            ObjectNode b = Json.MAPPER.createObjectNode();
            b.put("enabled", s.enabled());
            b.put("decidedAt", s.at().toString());
            b.put("gridLimitA", s.gridLimitA());
            b.put("gridLimitDefault", s.gridLimitDefault());
            b.put("safeBudgetA", s.safeBudgetA());
            b.put("safeBudgetInUse", s.safeBudgetInUse());
            b.put("budget", s.budget());
            if (s.priceSource() != null) {
                b.put("priceSource", s.priceSource());
            }
            b.putObject("availableA").put("L1", s.available().l1()).put("L2", s.available().l2())
                    .put("L3", s.available().l3());
            b.set("notReconnected", notReconnected(site));
            out.put("balancer", b);
        });
    }

    /**
     * The connectors the balancer counts on chargers the site view does not know: chargers not connected since the
     * gateway started, known from the profiles they held before (their load is counted, and would not show
     * anywhere else in the API).
     */
    private static ArrayNode notReconnected(SiteServices site) {
        ArrayNode rows = Json.MAPPER.createArrayNode();
        org.chargeedge.api.charger.SiteView view = site.siteView();
        java.util.Set<String> known = new java.util.HashSet<>();
        if (view != null) {
            view.chargers().forEach(c -> known.add(c.chargePointId()));
        }
        site.balancerStatus().ifPresent(status -> {
            for (BalancerStatus.Connector c : status.connectors()) {
                if (!known.contains(c.chargerId())) {
                    ObjectNode row = Json.MAPPER.createObjectNode().put("chargePointId", c.chargerId());
                    rows.add(row.setAll(connector(c)));
                }
            }
        });
        return rows;
    }

    /** Adds {@code balancer}, one entry per connector the balancer knows, to a charger, if a balancer runs. */
    static ObjectNode addCharger(ObjectNode charger, String chargePointId, SiteServices site) {
        site.balancerStatus().ifPresent(status -> {
            ArrayNode rows = charger.putArray("balancer");
            for (BalancerStatus.Connector c : status.connectors()) {
                if (c.chargerId().equals(chargePointId)) {
                    rows.add(connector(c));
                }
            }
        });
        return charger;
    }

    private static ObjectNode connector(BalancerStatus.Connector c) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("connectorId", c.connectorId());
        n.put("limitA", c.limitA());
        n.put("reasonKind", c.reasonKind().name());
        n.put("reason", c.reason());
        if (c.reasonUntil() != null) {
            n.put("reasonUntil", c.reasonUntil().toString());
        }
        n.put("mode", c.mode().label());
        n.put("modeOrigin", c.modeOrigin().name());
        n.put("priority", c.priority());
        if (c.group() != null) {
            n.put("group", c.group());
        }
        n.put("control", c.control().name());
        n.put("obeys", c.obeys());
        if (c.departure() != null) {
            n.put("departure", c.departure().toString());
        }
        if (c.energyNeededWh() != null) {
            n.put("energyNeededKWh", c.energyNeededWh() / 1000);
        }
        if (c.energyTargetWh() != null) {
            n.put("energyTargetKWh", c.energyTargetWh() / 1000);
        }
        return n;
    }

    /** Whether the path names a mode: {@code chargers/ID/mode} or {@code chargers/ID/connectors/N/mode}. */
    static boolean isModePath(List<String> path) {
        return path.size() >= 3 && path.get(0).equals("chargers") && path.get(path.size() - 1).equals("mode")
                && (path.size() == 3 || (path.size() == 5 && path.get(2).equals("connectors")));
    }

    /** Sets the mode the path names to the body's {@code mode}; 400, 404, 409 or 503 when not. */
    static Object setMode(SiteServices site, List<String> path, JsonNode body) throws Json.ApiException {
        ChargingMode mode;
        try {
            mode = ChargingMode.parse(Json.text(body, "mode"));
        } catch (IllegalArgumentException e) {
            throw new Json.ApiException(400, e.getMessage());
        }
        String charger = path.get(1);
        BalancerModes modes = SiteServices.required(site.balancerModes(), "load balancing");
        CompletionStage<String> done;
        Integer connector = null;
        if (path.size() == 5) {
            try {
                connector = Integer.valueOf(path.get(3));
            } catch (NumberFormatException e) {
                throw new Json.ApiException(400, "the connector must be a number, not '" + path.get(3) + "'");
            }
            done = modes.setSessionMode(charger, connector, mode, target(body));
        } else if (body.has("departure") || body.has("energyKWh")) {
            throw new Json.ApiException(400, "'departure' and 'energyKWh' are for a session: "
                    + "/api/chargers/ID/connectors/N/mode");
        } else {
            done = modes.setChargerDefault(charger, mode);
        }
        String message = await(done);
        ObjectNode out = Json.MAPPER.createObjectNode().put("chargePointId", charger);
        if (connector != null) {
            out.put("connectorId", connector);
        }
        return out.put("mode", mode.label()).put("message", message.strip());
    }

    /** Gives a charger its configured default mode again. */
    static Object clearMode(SiteServices site, String charger) throws Json.ApiException {
        String message = await(SiteServices.required(site.balancerModes(), "load balancing")
                .clearChargerDefault(charger));
        return Json.MAPPER.createObjectNode().put("chargePointId", charger).put("message", message.strip());
    }

    /** A Scheduled session's {@code departure} (UTC time) and {@code energyKWh}, both or neither. */
    private static BalancerModes.Target target(JsonNode body) throws Json.ApiException {
        JsonNode energy = body.get("energyKWh");
        if (!body.has("departure") && energy == null) {
            return null;
        }
        if (!body.has("departure") || energy == null) {
            throw new Json.ApiException(400, "'departure' and 'energyKWh' go together");
        }
        if (!energy.isNumber()) {
            throw new Json.ApiException(400, "'energyKWh' must be a number");
        }
        try {
            return new BalancerModes.Target(Instant.parse(Json.text(body, "departure")), energy.doubleValue() * 1000);
        } catch (DateTimeParseException e) {
            throw new Json.ApiException(400, "'departure' must be a UTC time like 2026-05-01T07:30:00Z");
        }
    }

    private static String await(CompletionStage<String> done) throws Json.ApiException {
        try {
            return done.toCompletableFuture().get(MODE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ModeRefusedException r) {
                int status = switch (r.reason()) {
                    case UNKNOWN_CHARGER, UNKNOWN_CONNECTOR -> 404;
                    case REFUSED -> 409;
                };
                throw new Json.ApiException(status, r.getMessage());
            }
            throw new Json.ApiException(500, "load balancing failed: " + e.getCause());
        } catch (TimeoutException e) {
            throw new Json.ApiException(503, "load balancing did not answer");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Json.ApiException(503, "interrupted");
        }
    }
}
