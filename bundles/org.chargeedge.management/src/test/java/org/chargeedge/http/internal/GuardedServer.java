package org.chargeedge.http.internal;

import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Map;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.servlet.FilterHolder;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.MultipartConfigElement;
import jakarta.servlet.http.HttpServlet;

/**
 * Another bundle's servlet behind the HTTP bundle's real authentication
 * filter and its users and tokens, in a real Jetty 11 on a free loopback
 * port: what the gateway serves to a whiteboard servlet of another bundle.
 * The servlet is mapped at the patterns of its component description.
 */
public final class GuardedServer implements AutoCloseable {

    private final Gatekeeper gatekeeper = new Gatekeeper();
    private final Server server = new Server();
    private final String base;

    /**
     * @param multipart the multipart limits the whiteboard gives the servlet, null for none
     */
    public GuardedServer(Path dataDir, HttpServlet servlet, MultipartConfigElement multipart) throws Exception {
        gatekeeper.start(dataDir.resolve("users.json"), ApiServer.config(Map.of()), Map.of(), Clock.systemUTC());
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        context.addFilter(new FilterHolder(new AuthFilter(gatekeeper)), "/*", EnumSet.of(DispatcherType.REQUEST));
        ServletHolder holder = new ServletHolder(servlet);
        if (multipart != null) {
            holder.getRegistration().setMultipartConfig(multipart);
        }
        for (String pattern : ApiServer.patterns(servlet.getClass())) {
            context.addServlet(holder, pattern);
        }
        server.setHandler(context);
        server.start();
        base = "http://127.0.0.1:" + connector.getLocalPort();
    }

    public String base() {
        return base;
    }

    /** A new API token of the role ("viewer" or "operator"), as the shell's chargeedge:token add makes it. */
    public String token(String label, String role) throws Exception {
        return gatekeeper.users().addToken(label, Role.parse(role));
    }

    /** A browser session's cookie ("CE_SESSION=...") and CSRF token of a new user of the role. */
    public String[] session(String user, String role, String password) throws Exception {
        gatekeeper.users().addUser(user, Role.parse(role), password);
        Gatekeeper.Login login = gatekeeper.login(user, password, "127.0.0.1");
        BrowserSessions.Session s = ((Gatekeeper.Login.Accepted) login).session();
        return new String[] {BrowserSessions.COOKIE + "=" + s.id, s.csrfToken};
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
