package org.chargeedge.http.internal;

import java.io.IOException;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardFilterPattern;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Every request to the gateway's HTTP server passes here, whichever bundle
 * registered the servlet that serves it (a whiteboard filter on {@code /*}):
 *
 * <ul>
 * <li>{@link #PUBLIC} paths (login, health, the OpenAPI description, the root that redirects to the dashboard)
 *     and the dashboard's static files
 *     ({@link DashboardServlet#isPublic}: they hold no site data) need nobody;</li>
 * <li>every other request needs an API token ({@code Authorization: Bearer ...}) or a browser session
 *     cookie, else 401;</li>
 * <li>reading (GET, HEAD) needs the viewer role, anything else the operator role (except
 *     {@link #ANY_ROLE_WRITES}), else 403;</li>
 * <li>a request with a session cookie that changes something must carry the session's
 *     {@code X-CSRF-Token}, else 403; a token needs none (a browser never sends one by itself).</li>
 * </ul>
 *
 * Errors are JSON. Responses also get headers that keep a browser from
 * sniffing types, framing the pages or sending referrers.
 */
@Component(service = Filter.class)
@HttpWhiteboardFilterPattern("/*")
public class AuthFilter implements Filter {

    /**
     * Public by the request's own text: nothing else normalises to these. The root only redirects to the
     * dashboard ({@link DashboardServlet}).
     */
    static final Set<String> PUBLIC = Set.of("/api/login", "/health", "/api/openapi.json", "/");
    static final Set<String> ANY_ROLE_WRITES = Set.of("/api/logout");
    private static final Set<String> READING = Set.of("GET", "HEAD");

    private final Gatekeeper gatekeeper;

    @Activate
    public AuthFilter(@Reference Gatekeeper gatekeeper) {
        this.gatekeeper = gatekeeper;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("X-Frame-Options", "DENY");
        response.setHeader("Referrer-Policy", "no-referrer");
        if (request.isSecure()) {
            response.setHeader("Strict-Transport-Security", "max-age=31536000");
        }
        String path = path(request);
        if (PUBLIC.contains(path)
                || DashboardServlet.isPublic(path) && DashboardServlet.isPublic(servedPath(request))) {
            chain.doFilter(request, response);
            return;
        }
        Optional<Principal> principal;
        String authorization = request.getHeader("Authorization");
        if (authorization != null) {
            if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                unauthorized(response, "send an API token as 'Authorization: Bearer TOKEN' (made with"
                        + " 'chargeedge:token add'), or log in at /api/login");
                return;
            }
            principal = gatekeeper.token(authorization.substring(7).trim());
            if (principal.isEmpty()) {
                unauthorized(response, "this API token is not valid (revoked, or mistyped)");
                return;
            }
        } else {
            principal = gatekeeper.session(sessionCookie(request));
            if (principal.isEmpty()) {
                unauthorized(response, "log in first (POST /api/login), or send an API token");
                return;
            }
        }
        Principal who = principal.get();
        boolean reading = READING.contains(request.getMethod());
        if (!reading && !ANY_ROLE_WRITES.contains(path) && !who.role().allows(Role.OPERATOR)) {
            Json.error(response, 403, "this needs the operator role; " + who.name() + " is a "
                    + who.role().label());
            return;
        }
        if (!reading && !who.viaToken() && !csrfMatches(request.getHeader(BrowserSessions.CSRF_HEADER),
                who.session().csrfToken)) {
            Json.error(response, 403, "missing or wrong " + BrowserSessions.CSRF_HEADER
                    + " header (the csrfToken of the login answer or of GET /api/me)");
            return;
        }
        request.setAttribute(Principal.ATTRIBUTE, who);
        // For other bundles' servlets: the role, and the user's or token's name (remote management records it).
        request.setAttribute("org.chargeedge.http.role", who.role().label());
        request.setAttribute("org.chargeedge.http.user", who.name());
        chain.doFilter(request, response);
    }

    /** The path inside the server, without the context path. */
    static String path(HttpServletRequest request) {
        String uri = request.getRequestURI();
        String context = request.getContextPath();
        return context != null && uri.startsWith(context) ? uri.substring(context.length()) : uri;
    }

    /**
     * The path the container serves, decoded and normalised ({@code /ui/../api/site} is {@code /api/site}),
     * where {@link #path} is the request's own text: a prefix that makes a path public must hold for both.
     */
    static String servedPath(HttpServletRequest request) {
        String info = request.getPathInfo();
        return request.getServletPath() + (info == null ? "" : info);
    }

    static String sessionCookie(HttpServletRequest request) {
        Cookie[] cookies = request.getCookies();
        if (cookies == null) {
            return null;
        }
        for (Cookie c : cookies) {
            if (BrowserSessions.COOKIE.equals(c.getName())) {
                return c.getValue();
            }
        }
        return null;
    }

    private static boolean csrfMatches(String given, String expected) {
        return given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                expected.getBytes(StandardCharsets.UTF_8));
    }

    private static void unauthorized(HttpServletResponse response, String message) throws IOException {
        response.setHeader("WWW-Authenticate", "Bearer realm=\"chargeedge\"");
        Json.error(response, 401, message);
    }
}
