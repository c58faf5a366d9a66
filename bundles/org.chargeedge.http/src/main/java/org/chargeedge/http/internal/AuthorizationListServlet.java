package org.chargeedge.http.internal;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import org.chargeedge.api.authorization.LocalAuthorizationList;
import org.chargeedge.ocpp.rpc.OcppJsonCodec;
import org.chargeedge.ocpp.rpc.OcppValidationException;
import org.chargeedge.ocpp.v16.Action;
import org.chargeedge.ocpp.v16.SendLocalListRequest;
import org.chargeedge.ocpp.v16.UpdateStatus;
import org.chargeedge.ocpp.v16.UpdateType;
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
 * The gateway's local authorization list ({@code LocalAuthorizationList}),
 * as the shell's {@code authlist}, {@code authset}, {@code authremove} and
 * {@code authpush} edit it:
 *
 * <ul>
 * <li>{@code GET /api/authorization/list}: version and entries;</li>
 * <li>{@code POST /api/authorization/list} {"entries": [AuthorizationData...]}: a differential update to the
 *     next version, validated as OCPP's SendLocalList (an entry without idTagInfo removes its idTag);
 *     409 when the list changed meanwhile;</li>
 * <li>{@code POST /api/authorization/push} {"chargePointId"}: SendLocalList Full of the whole list to a
 *     connected charger, answered with the charger's status.</li>
 * </ul>
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/api/authorization/*")
@HttpWhiteboardServletAsyncSupported
public class AuthorizationListServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final transient SiteServices site;
    private final transient OcppJsonCodec codec = new OcppJsonCodec();

    @Activate
    public AuthorizationListServlet(@Reference SiteServices site) {
        this.site = site;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        try {
            if (!ApiServlet.segments(request).equals(List.of("list"))) {
                throw new Json.ApiException(404, "no such resource: GET " + AuthFilter.path(request));
            }
            LocalAuthorizationList list = list();
            Json.write(response, 200, Map.of("version", list.version(), "entries", list.entries()));
        } catch (Json.ApiException e) {
            Json.error(response, e.status, e.getMessage());
        }
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        try {
            List<String> path = ApiServlet.segments(request);
            if (path.equals(List.of("list"))) {
                Json.write(response, 200, edit(Json.body(request)));
            } else if (path.equals(List.of("push"))) {
                push(Json.text(Json.body(request), "chargePointId"), request, response);
            } else {
                throw new Json.ApiException(404, "no such action: POST " + AuthFilter.path(request));
            }
        } catch (Json.ApiException e) {
            Json.error(response, e.status, e.getMessage());
        }
    }

    private Map<String, Object> edit(JsonNode body) throws Json.ApiException {
        JsonNode entries = body.get("entries");
        if (entries == null || !entries.isArray() || entries.isEmpty()) {
            throw new Json.ApiException(400, "'entries' must be a non-empty array of {idTag, idTagInfo}");
        }
        LocalAuthorizationList list = list();
        int version = list.version() + 1;
        ObjectNode payload = Json.MAPPER.createObjectNode();
        payload.put("listVersion", version);
        payload.put("updateType", UpdateType.Differential.value());
        payload.set("localAuthorizationList", entries);
        SendLocalListRequest update;
        try {
            update = (SendLocalListRequest) codec.decodeRequest(Action.SendLocalList, payload);
        } catch (OcppValidationException e) {
            throw new Json.ApiException(400, "invalid entries: " + e.getMessage());
        }
        UpdateStatus status = list.update(update);
        switch (status) {
            case Accepted:
                return Map.of("status", status.value(), "version", list.version());
            case VersionMismatch:
                throw new Json.ApiException(409, "the list changed meanwhile (now version " + list.version()
                        + "); read it and try again");
            default:
                throw new Json.ApiException(400, "the list refused the update (" + status.value()
                        + "): entries invalid or the list would be longer than allowed; nothing changed");
        }
    }

    private void push(String chargePointId, HttpServletRequest request, HttpServletResponse response)
            throws Json.ApiException {
        LocalAuthorizationList list = list();
        if (list.version() < 1) {
            throw new Json.ApiException(409, "the local list was never set (version 0); set entries first");
        }
        if (site.siteView().charger(chargePointId).isEmpty()) {
            throw ApiServlet.unknownCharger(chargePointId);
        }
        ChargerCall.send(site, codec, request, response, chargePointId,
                new SendLocalListRequest(list.version(), list.entries(), UpdateType.Full));
    }

    private LocalAuthorizationList list() throws Json.ApiException {
        return SiteServices.required(site.localList(), "local authorization");
    }
}
