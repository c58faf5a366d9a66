package org.chargeedge.http.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The web dashboard: static HTML, CSS and JavaScript modules from this
 * bundle under {@code /ui/} ({@code /ui} and the server's root {@code /} send the browser there; as the
 * servlet of {@code /} it also answers, with 404, every path no other servlet serves). The
 * files carry no site data (the pages read it from the API in the browser),
 * so they are public: the login page must load before anyone is logged in.
 *
 * <p>Every answer carries a Content-Security-Policy that allows scripts,
 * styles and connections from the gateway only and no inline script; the
 * pages build the DOM with {@code textContent}, never from HTML strings.
 *
 * <p>The files are read once, at construction, into an immutable map with
 * their ETag: requests only read it.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern({"/ui/*", "/"})
public class DashboardServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    static final String PREFIX = "/ui/";
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
            + " img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none';"
            + " frame-ancestors 'none'";
    /** The dashboard's files, as they lie in {@code org/chargeedge/http/dashboard/}. */
    static final List<String> FILES = List.of("index.html", "login.html", "charger.html", "sessions.html",
            "diagnostics.html", "style.css", "app.js", "chart.js", "site.js", "login.js", "charger.js",
            "sessions.js", "diagnostics.js", "explain.js", "meterhistory.js", "eventlog.js", "balance.js",
            "mqtt-status.js", "charger-findings.js");
    private static final Map<String, String> TYPES = Map.of("html", "text/html", "css", "text/css", "js",
            "text/javascript");

    private final transient Map<String, File> files;

    record File(byte[] content, String type, String etag) {
    }

    public DashboardServlet() {
        Map<String, File> loaded = new LinkedHashMap<>();
        for (String name : FILES) {
            byte[] content = read(name);
            String type = TYPES.get(name.substring(name.lastIndexOf('.') + 1));
            loaded.put(name, new File(content, type, "\"" + sha256(content).substring(0, 16) + "\""));
        }
        files = Map.copyOf(loaded);
    }

    /** Whether the filter lets the request through without a login: the dashboard's own files. */
    static boolean isPublic(String path) {
        return path.startsWith(PREFIX) || path.equals("/ui");
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        String path = AuthFilter.path(request);
        if (path.equals("/") || path.isEmpty() || path.equals("/ui")) {
            // 302 to the dashboard, which asks for a login when there is none
            response.setHeader("Cache-Control", "no-store");
            response.sendRedirect(request.getContextPath() + PREFIX);
            return;
        }
        if (!path.startsWith(PREFIX)) {
            Json.error(response, 404, "no such resource: " + path);
            return;
        }
        String name = path.substring(PREFIX.length());
        File file = files.get(name.isEmpty() ? "index.html" : name);
        if (file == null) {
            Json.error(response, 404, "no such page: " + path);
            return;
        }
        // Revalidated every time (a bundle update changes the files), answered 304 while unchanged.
        response.setHeader("Cache-Control", "no-cache");
        response.setHeader("ETag", file.etag());
        if (file.etag().equals(request.getHeader("If-None-Match"))) {
            response.setStatus(304);
            return;
        }
        response.setStatus(200);
        response.setContentType(file.type());
        response.setCharacterEncoding("UTF-8");
        response.setContentLength(file.content().length);
        response.getOutputStream().write(file.content());
    }

    private static byte[] read(String name) {
        String resource = "/org/chargeedge/http/dashboard/" + name;
        try (InputStream in = DashboardServlet.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the bundle lacks " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
