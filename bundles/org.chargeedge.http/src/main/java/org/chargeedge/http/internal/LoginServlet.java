package org.chargeedge.http.internal;

import java.io.IOException;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import com.fasterxml.jackson.databind.JsonNode;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code POST /api/login} ({"user", "password"}: a session cookie and the
 * session's CSRF token), {@code POST /api/logout}, {@code GET /api/me} (who is
 * logged in, and the CSRF token again for a reloaded page).
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern({"/api/login", "/api/logout", "/api/me"})
public class LoginServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final transient Gatekeeper gatekeeper;

    @Activate
    public LoginServlet(@Reference Gatekeeper gatekeeper) {
        this.gatekeeper = gatekeeper;
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = AuthFilter.path(request);
        if (path.equals("/api/logout")) {
            gatekeeper.sessions().close(AuthFilter.sessionCookie(request));
            response.addHeader("Set-Cookie", cookie("", request.isSecure(), 0));
            Json.write(response, 200, Map.of("loggedOut", true));
            return;
        }
        if (!path.equals("/api/login")) {
            Json.error(response, 405, "use GET on " + path);
            return;
        }
        String user;
        String password;
        try {
            JsonNode body = Json.body(request);
            user = Json.text(body, "user");
            password = Json.text(body, "password");
        } catch (Json.ApiException e) {
            Json.error(response, e.status, e.getMessage());
            return;
        }
        Gatekeeper.Login login = gatekeeper.login(user, password, request.getRemoteAddr());
        if (login instanceof Gatekeeper.Login.Accepted accepted) {
            BrowserSessions.Session s = accepted.session();
            response.addHeader("Set-Cookie", cookie(s.id, request.isSecure(), -1));
            Json.write(response, 200, Map.of("user", s.user, "role", s.role.label(), "csrfToken", s.csrfToken));
        } else if (login instanceof Gatekeeper.Login.Locked locked) {
            long seconds = Math.max(1, locked.retryAfter().toSeconds());
            response.setHeader("Retry-After", String.valueOf(seconds));
            Json.error(response, 429, "too many failed logins for this user or address; try again in " + seconds
                    + " s");
        } else if (login instanceof Gatekeeper.Login.Busy) {
            response.setHeader("Retry-After", "2");
            Json.error(response, 503, "too many logins at once; try again in a moment");
        } else {
            Json.error(response, 401, "wrong user name or password");
        }
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!AuthFilter.path(request).equals("/api/me")) {
            Json.error(response, 405, "use POST on " + AuthFilter.path(request));
            return;
        }
        Principal who = (Principal) request.getAttribute(Principal.ATTRIBUTE);
        Json.write(response, 200, who.viaToken()
                ? Map.of("user", who.name(), "role", who.role().label(), "via", "token")
                : Map.of("user", who.name(), "role", who.role().label(), "via", "session",
                        "csrfToken", who.session().csrfToken));
    }

    /** The session cookie: HttpOnly, SameSite=Strict, Secure over HTTPS; a session cookie unless maxAge >= 0. */
    static String cookie(String value, boolean secure, int maxAge) {
        return BrowserSessions.COOKIE + "=" + value + "; Path=/; HttpOnly; SameSite=Strict"
                + (secure ? "; Secure" : "") + (maxAge >= 0 ? "; Max-Age=" + maxAge : "");
    }
}
