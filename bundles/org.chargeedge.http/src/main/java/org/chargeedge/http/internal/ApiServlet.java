package org.chargeedge.http.internal;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

import org.chargeedge.api.charger.ChargerAccess;
import org.chargeedge.api.charger.ChargerInfo;
import org.chargeedge.api.charger.SiteReadiness;
import org.chargeedge.api.energy.EnergySnapshot;
import org.chargeedge.api.store.SiteStore;
import org.chargeedge.api.store.StoredTransaction;
import org.chargeedge.api.upstream.UpstreamStatus;
import org.chargeedge.ocpp.rpc.OcppJsonCodec;
import org.chargeedge.ocpp.rpc.OcppValidationException;
import org.chargeedge.ocpp.v16.Action;
import org.chargeedge.ocpp.v16.Request;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletAsyncSupported;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The JSON API over the site's services ({@code /api/...}, described in
 * {@code openapi.json}). Reading needs the viewer role, acting the operator
 * role (the {@link AuthFilter} checks both). Acting goes through the same
 * services as the shell ({@code ChargerCommands}, {@code ChargerAccess},
 * {@code UpstreamStatus}) and reports their errors as they are, with an HTTP
 * status saying whose fault it is: 4xx for the request, 409 for a charger that
 * is not connected, 502/504 for a charger that failed or did not answer, 503
 * for a part of the gateway that is not running.
 *
 * <p>Calls to chargers are asynchronous: the request waits without a thread
 * until the charger answers or the central system's call timeout passes.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/api/*")
@HttpWhiteboardServletAsyncSupported
public class ApiServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    static final int MAX_COMMISSIONING_MINUTES = 24 * 60;

    private final transient SiteServices site;
    private final transient OcppJsonCodec codec = new OcppJsonCodec();

    @Activate
    public ApiServlet(@Reference SiteServices site) {
        this.site = site;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        List<String> path = segments(request);
        try {
            if (path.equals(List.of("sessions.csv"))) {
                sessionsCsv(request, response);
                return;
            }
            Json.write(response, 200, read(path, request));
        } catch (Json.ApiException e) {
            Json.error(response, e.status, e.getMessage());
        }
    }

    private Object read(List<String> path, HttpServletRequest request) throws Json.ApiException {
        String first = path.isEmpty() ? "" : path.get(0);
        switch (first) {
            case "site":
                return siteSummary();
            case "chargers":
                if (path.size() == 1) {
                    return site.siteView().chargers().stream().map(c -> BalancerResources.addCharger(charger(c),
                            c.chargePointId(), site)).toList();
                }
                if (path.size() == 2) {
                    return BalancerResources.addCharger(charger(site.siteView().charger(path.get(1))
                            .orElseThrow(() -> unknownCharger(path.get(1)))), path.get(1), site);
                }
                if (path.size() == 3 && path.get(2).equals("parked")) {
                    return SiteServices.required(site.parked(), "the store").parked(path.get(1));
                }
                if (path.size() == 3 && path.get(2).equals("meter-values")) {
                    return MeterHistory.read(site, path.get(1), request);
                }
                break;
            case "transactions":
                if (path.size() == 1) {
                    Range r = range(request);
                    return SiteServices.required(site.store(), "the store")
                            .transactionsStarted(r.from(), r.to(), r.chargePointId(), r.idTag());
                }
                break;
            case "upstream":
                if (path.size() == 1) {
                    return SiteServices.required(site.upstream(), "the upstream link").links();
                }
                break;
            case "energy":
                if (path.size() == 1) {
                    EnergySnapshot e = SiteServices.required(site.energy(), "the energy model").snapshot();
                    return Map.of("takenAt", e.takenAt(), "measurements", e.measurements().values());
                }
                break;
            case "store":
                if (path.size() == 1) {
                    SiteStore store = SiteServices.required(site.store(), "the store");
                    return Map.of("health", store.health(), "foreignTransactionMessages",
                            store.foreignTransactionMessages());
                }
                break;
            case "access":
                if (path.size() == 1) {
                    ChargerAccess a = SiteServices.required(site.access(), "charger access control");
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("siteSecurityProfile", a.siteSecurityProfile());
                    out.put("openToUnknownChargers", a.openToUnknownChargers());
                    a.commissioningUntil().ifPresent(u -> out.put("commissioningUntil", u));
                    out.put("known", a.knownChargers());
                    out.put("waiting", a.waitingChargers());
                    out.put("refusals", a.recentRefusals());
                    return out;
                }
                break;
            default:
                break;
        }
        throw new Json.ApiException(404, "no such resource: GET /api/" + String.join("/", path));
    }

    private Map<String, Object> siteSummary() {
        Map<String, Object> out = new LinkedHashMap<>();
        SiteReadiness readiness = site.siteView().readiness();
        out.put("readiness", readiness);
        List<ChargerInfo> chargers = site.siteView().chargers();
        out.put("chargers", Map.of("known", chargers.size(),
                "connected", chargers.stream().filter(ChargerInfo::connected).count(),
                "openTransactions", chargers.stream().mapToInt(c -> c.openTransactions().size()).sum()));
        site.store().ifPresent(s -> out.put("store", s.health()));
        site.upstream().ifPresent(u -> {
            List<UpstreamStatus.Link> links = u.links();
            out.put("upstream", Map.of("links", links.size(),
                    "connected", links.stream().filter(UpstreamStatus.Link::connected).count(),
                    "queued", links.stream().mapToInt(UpstreamStatus.Link::queueDepth).sum(),
                    "failed", links.stream().mapToInt(UpstreamStatus.Link::failed).sum()));
        });
        site.energy().ifPresent(e -> out.put("energy", e.snapshot().measurements().values()));
        BalancerResources.addSite(out, site);
        return out;
    }

    /** A charger as the API shows it: the SiteView record with its state in words. */
    static ObjectNode charger(ChargerInfo c) {
        ObjectNode node = Json.MAPPER.valueToTree(c);
        node.put("state", !c.connected() ? "disconnected" : c.boot() == null ? "never booted" : "connected");
        List<InstallerFindings.Finding> findings = InstallerFindings.of(c.diagnostics());
        if (!findings.isEmpty()) {
            node.set("installerFindings", Json.MAPPER.valueToTree(findings));
        }
        return node;
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        List<String> path = segments(request);
        try {
            if (path.size() == 4 && path.get(0).equals("chargers") && path.get(2).equals("calls")) {
                call(path.get(1), path.get(3), Json.body(request), request, response);
                return;
            }
            if (path.equals(List.of("access", "provision"))) {
                provision(Json.body(request), request, response);
                return;
            }
            Object result = BalancerResources.isModePath(path)
                    ? BalancerResources.setMode(site, path, Json.body(request)) : act(path, request);
            Json.write(response, 200, result);
        } catch (Json.ApiException e) {
            Json.error(response, e.status, e.getMessage());
        }
    }

    /** {@code PUT} sets a mode (as {@code POST} does); nothing else is put. */
    @Override
    protected void doPut(HttpServletRequest request, HttpServletResponse response) throws IOException {
        List<String> path = segments(request);
        try {
            if (!BalancerResources.isModePath(path)) {
                throw new Json.ApiException(404, "no such resource: PUT /api/" + String.join("/", path));
            }
            Json.write(response, 200, BalancerResources.setMode(site, path, Json.body(request)));
        } catch (Json.ApiException e) {
            Json.error(response, e.status, e.getMessage());
        }
    }

    /** {@code DELETE /api/chargers/ID/mode}: the charger's configured default mode again; nothing else. */
    @Override
    protected void doDelete(HttpServletRequest request, HttpServletResponse response) throws IOException {
        List<String> path = segments(request);
        try {
            if (!BalancerResources.isModePath(path) || path.size() != 3) {
                throw new Json.ApiException(404, "no such resource: DELETE /api/" + String.join("/", path));
            }
            Json.write(response, 200, BalancerResources.clearMode(site, path.get(1)));
        } catch (Json.ApiException e) {
            Json.error(response, e.status, e.getMessage());
        }
    }

    private Object act(List<String> path, HttpServletRequest request) throws Json.ApiException, IOException {
        if (path.size() == 4 && path.get(0).equals("chargers") && path.get(2).equals("upstream")
                && path.get(3).equals("replay")) {
            int moved = SiteServices.required(site.upstream(), "the upstream link").replayFailed(path.get(1));
            return Map.of("chargePointId", path.get(1), "requeued", moved);
        }
        if (path.size() == 2 && path.get(0).equals("access")) {
            ChargerAccess access = SiteServices.required(site.access(), "charger access control");
            JsonNode body = Json.body(request);
            try {
                switch (path.get(1)) {
                    case "accept":
                        return access.accept(Json.text(body, "chargePointId"));
                    case "forget": {
                        String id = Json.text(body, "chargePointId");
                        if (!access.forget(id)) {
                            throw new Json.ApiException(404, "charger " + id + " is not known");
                        }
                        return Map.of("chargePointId", id, "forgotten", true);
                    }
                    case "profile": {
                        // a number 0..3 gives the charger its own profile; null returns it to the site's default
                        JsonNode profile = body.get("securityProfile");
                        if (profile == null || !(profile.isNull() || profile.canConvertToInt())) {
                            throw new Json.ApiException(400, "'securityProfile' must be 0, 1, 2, 3 or null (the"
                                    + " site's default)");
                        }
                        return access.setSecurityProfile(Json.text(body, "chargePointId"),
                                profile.isNull() ? null : profile.intValue());
                    }
                    case "password":
                        return access.setAuthorizationKey(Json.text(body, "chargePointId"),
                                Json.text(body, "authorizationKey"));
                    case "commissioning": {
                        JsonNode minutes = body.get("minutes");
                        if (minutes == null || !minutes.canConvertToInt() || minutes.intValue() < 0
                                || minutes.intValue() > MAX_COMMISSIONING_MINUTES) {
                            throw new Json.ApiException(400, "'minutes' must be a whole number from 0 (close the"
                                    + " window) to " + MAX_COMMISSIONING_MINUTES);
                        }
                        if (minutes.intValue() == 0) {
                            access.closeCommissioning();
                            return Map.of("commissioning", false);
                        }
                        return Map.of("commissioningUntil",
                                access.openCommissioning(Duration.ofMinutes(minutes.intValue())));
                    }
                    default:
                        break;
                }
            } catch (IllegalArgumentException e) {
                throw new Json.ApiException(400, e.getMessage());
            }
        }
        throw new Json.ApiException(404, "no such action: POST /api/" + String.join("/", path));
    }

    /**
     * {@code POST /api/access/provision}: a new AuthorizationKey generated, sent to the connected charger and,
     * once it accepted it, its profile raised; answered when the charger has answered (409 when it refuses or
     * is not connected), without holding a thread meanwhile.
     */
    private void provision(JsonNode body, HttpServletRequest request, HttpServletResponse response)
            throws Json.ApiException {
        ChargerAccess access = SiteServices.required(site.access(), "charger access control");
        String id = Json.text(body, "chargePointId");
        JsonNode profile = body.get("securityProfile");
        if (profile == null || !profile.canConvertToInt() || profile.intValue() < 1 || profile.intValue() > 2) {
            throw new Json.ApiException(400, "'securityProfile' must be 1 or 2: a password is for those profiles");
        }
        CompletionStage<ChargerAccess.KnownCharger> stage;
        try {
            stage = access.provisionAuthorizationKey(id, profile.intValue());
        } catch (IllegalArgumentException e) {
            throw new Json.ApiException(409, e.getMessage());
        }
        ChargerCall.respond(request, response, id, "ChangeConfiguration AuthorizationKey", stage, known -> known);
    }

    /**
     * {@code POST /api/chargers/ID/calls/ACTION} with the OCPP 1.6 payload: validated as the central
     * system validates what it sends, sent through ChargerCommands, answered with the charger's
     * confirmation.
     */
    private void call(String chargePointId, String actionName, JsonNode payload, HttpServletRequest request,
                      HttpServletResponse response) throws Json.ApiException {
        Action action = Arrays.stream(Action.values()).filter(a -> a.name().equals(actionName)).findFirst()
                .orElseThrow(() -> new Json.ApiException(404, "no OCPP 1.6 action " + actionName));
        if (action.initiator() == Action.Initiator.CHARGE_POINT) {
            throw new Json.ApiException(400, actionName + " is sent by chargers, not to them");
        }
        if (site.siteView().charger(chargePointId).isEmpty()) {
            throw unknownCharger(chargePointId);
        }
        Request<?> ocppRequest;
        try {
            ocppRequest = codec.decodeRequest(action, payload);
        } catch (OcppValidationException e) {
            throw new Json.ApiException(400, "invalid " + actionName + " payload: " + e.getMessage());
        }
        ChargerCall.send(site, codec, request, response, chargePointId, ocppRequest);
    }

    /** A date range and filters from the query: from/to as dates (UTC, to inclusive) or instants. */
    record Range(Instant from, Instant to, String chargePointId, String idTag) {
    }

    static Range range(HttpServletRequest request) throws Json.ApiException {
        Instant from = time(request.getParameter("from"), "from", false);
        Instant to = time(request.getParameter("to"), "to", true);
        if (from == null) {
            from = Instant.EPOCH;
        }
        if (to == null) {
            to = Instant.parse("9999-12-31T23:59:59Z");
        }
        if (!from.isBefore(to)) {
            throw new Json.ApiException(400, "'from' must be before 'to'");
        }
        return new Range(from, to, blankToNull(request.getParameter("chargePointId")),
                blankToNull(request.getParameter("idTag")));
    }

    static Instant time(String text, String name, boolean endOfDay) throws Json.ApiException {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            if (text.length() == 10) {
                LocalDate day = LocalDate.parse(text);
                return (endOfDay ? day.plusDays(1) : day).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new Json.ApiException(400, "'" + name + "' must be a date (2026-05-31) or a UTC time"
                    + " (2026-05-31T12:00:00Z), not '" + text + "'");
        }
    }

    /** A whole number query parameter from {@code min} to {@code max}; {@code absent} when not given. */
    static Integer number(String text, String name, int min, int max, Integer absent)
            throws Json.ApiException {
        if (text == null || text.isBlank()) {
            return absent;
        }
        try {
            int n = Integer.parseInt(text.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new Json.ApiException(400, "'" + name + "' must be a whole number from " + min
                + (max == Integer.MAX_VALUE ? " up" : " to " + max) + ", not '" + text + "'");
    }

    private void sessionsCsv(HttpServletRequest request, HttpServletResponse response)
            throws Json.ApiException, IOException {
        Range r = range(request);
        List<StoredTransaction> sessions = SiteServices.required(site.store(), "the store")
                .transactionsStarted(r.from(), r.to(), r.chargePointId(), r.idTag());
        response.setStatus(200);
        response.setContentType("text/csv");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("Content-Disposition", "attachment; filename=\"sessions.csv\"");
        PrintWriter out = response.getWriter();
        out.print(SessionsCsv.HEADER);
        for (StoredTransaction t : sessions) {
            out.print(SessionsCsv.row(t));
        }
        out.flush();
    }

    static Json.ApiException unknownCharger(String id) {
        return new Json.ApiException(404, "no charger " + id + " has connected since the gateway started");
    }

    /** The path after /api/, split at '/', empty segments dropped. */
    static List<String> segments(HttpServletRequest request) {
        String info = request.getPathInfo();
        List<String> out = new ArrayList<>();
        if (info != null) {
            for (String s : info.split("/")) {
                if (!s.isEmpty()) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
