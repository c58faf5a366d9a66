package org.chargeedge.http.internal;

import java.io.IOException;

import org.chargeedge.api.mqtt.MqttStatus;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code GET /api/mqtt} (viewer): the MQTT broker connection and the energy
 * inputs as {@link MqttStatus} reports them, with ages in seconds for the
 * dashboard. 503 while the MQTT bundle does not run. Holds no state.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/api/mqtt")
public class MqttServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final transient SiteServices site;

    @Activate
    public MqttServlet(@Reference SiteServices site) {
        this.site = site;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        try {
            Json.write(response, 200, mqtt(SiteServices.required(site.mqtt(), "the MQTT bundle").connection()));
        } catch (Json.ApiException e) {
            Json.error(response, e.status, e.getMessage());
        }
    }

    static ObjectNode mqtt(MqttStatus.Connection c) {
        ObjectNode node = Json.MAPPER.valueToTree(c);
        node.put("configured", c.configured());
        ArrayNode inputs = (ArrayNode) node.get("inputs");
        for (int i = 0; i < c.inputs().size(); i++) {
            MqttStatus.Input input = c.inputs().get(i);
            ObjectNode o = (ObjectNode) inputs.get(i);
            if (input.lastMessageAge() != null) {
                o.put("lastMessageAgeSeconds", input.lastMessageAge().toSeconds());
            }
            o.put("staleAfterSeconds", input.staleAfter().toSeconds());
        }
        return node;
    }
}
