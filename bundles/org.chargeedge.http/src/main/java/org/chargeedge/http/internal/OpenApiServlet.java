package org.chargeedge.http.internal;

import java.io.IOException;
import java.io.InputStream;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** {@code GET /api/openapi.json}, public: the OpenAPI 3 description of this API (kept true by OpenApiTest). */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/api/openapi.json")
public class OpenApiServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    static final String RESOURCE = "openapi.json";

    public OpenApiServlet() {
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setStatus(200);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        try (InputStream in = OpenApiServlet.class.getResourceAsStream(RESOURCE)) {
            in.transferTo(response.getOutputStream());
        }
    }
}
