package org.chargeedge.http.internal;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.felix.hc.api.HealthCheck;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.servlet.FilterHolder;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;

/**
 * This bundle's filter and servlets in a real Jetty 11 (the one Felix HTTP
 * embeds) on a free loopback port, mapped at the patterns of their whiteboard
 * annotations, over the given site services: what the gateway serves, without
 * the framework.
 */
final class ApiServer implements AutoCloseable {

    final Gatekeeper gatekeeper = new Gatekeeper();
    /** Fed by the EventAdmin a test binds ({@code TestEvents}); delivers on the poster's thread. */
    final EventStreamServlet events = new EventStreamServlet();
    /** Fed by the same EventAdmin. */
    final EventLogServlet eventLog = new EventLogServlet();
    /** Runs the checks every bundle registers; a test adds the ones it needs beyond the three below. */
    final HealthServlet health = new HealthServlet();
    final Server server;
    final String base;
    final HttpClient client;

    ApiServer(Path dataDir, SiteServices site, Map<String, Object> config) throws Exception {
        this(dataDir, site, config, null, null, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
    }

    /** Over HTTPS with the PKCS#12 key store {@link HttpServer} makes for Felix HTTP, when one is given. */
    ApiServer(Path dataDir, SiteServices site, Map<String, Object> config, Path keyStore, String password,
              HttpClient client) throws Exception {
        this.client = client;
        Map<String, Object> all = new HashMap<>(config);
        gatekeeper.start(dataDir.resolve("users.json"), config(all), Map.of(), Clock.systemUTC());
        server = new Server();
        ServerConnector connector;
        if (keyStore != null) {
            org.eclipse.jetty.util.ssl.SslContextFactory.Server tls = new org.eclipse.jetty.util.ssl.SslContextFactory.Server();
            tls.setKeyStorePath(keyStore.toString());
            tls.setKeyStorePassword(password);
            tls.setKeyManagerPassword(password);
            org.eclipse.jetty.server.HttpConfiguration https = new org.eclipse.jetty.server.HttpConfiguration();
            https.addCustomizer(new org.eclipse.jetty.server.SecureRequestCustomizer(false));
            connector = new ServerConnector(server, tls, new org.eclipse.jetty.server.HttpConnectionFactory(https));
        } else {
            connector = new ServerConnector(server);
        }
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        FilterHolder filter = new FilterHolder(new AuthFilter(gatekeeper));
        filter.setAsyncSupported(true);
        context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
        health.addCheck(new SiteReadyCheck(site), Map.of(HealthCheck.NAME, "Site ready"));
        health.addCheck(new StoreCheck(site, dataDir), Map.of(HealthCheck.NAME, "Store"));
        health.addCheck(new UpstreamCheck(site), Map.of(HealthCheck.NAME, "Upstream link"));
        for (HttpServlet servlet : List.of(new LoginServlet(gatekeeper), new ApiServlet(site),
                new AuthorizationListServlet(site), new MetricsServlet(site), health, new OpenApiServlet(), events,
                eventLog, new DashboardServlet(), new MqttServlet(site))) {
            ServletHolder holder = new ServletHolder(servlet);
            holder.setAsyncSupported(true);
            for (String pattern : patterns(servlet.getClass())) {
                context.addServlet(holder, pattern);
            }
        }
        server.setHandler(context);
        server.start();
        base = (keyStore != null ? "https" : "http") + "://127.0.0.1:" + connector.getLocalPort();
    }

    /**
     * The servlet patterns the framework registers the component under: read from the component
     * description bnd generated from its whiteboard annotations.
     */
    static List<String> patterns(Class<?> component) throws java.io.IOException {
        String resource = "/OSGI-INF/" + component.getName() + ".xml";
        try (java.io.InputStream in = component.getResourceAsStream(resource)) {
            String xml = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                    "name=\"osgi.http.whiteboard.servlet.pattern\"[^>]*?(?:value=\"([^\"]*)\"\s*/>|>([^<]*)<)")
                    .matcher(xml);
            if (!m.find()) {
                throw new IllegalStateException(resource + " names no servlet pattern");
            }
            String value = m.group(1) != null ? m.group(1) : m.group(2);
            return java.util.Arrays.stream(value.split("\n")).map(String::trim).filter(v -> !v.isEmpty()).toList();
        }
    }

    /** An {@link HttpConfig} with its defaults, overridden by {@code properties}. */
    static HttpConfig config(Map<String, Object> properties) {
        return (HttpConfig) java.lang.reflect.Proxy.newProxyInstance(HttpConfig.class.getClassLoader(),
                new Class<?>[] {HttpConfig.class}, (proxy, method, args) -> {
                    if (method.getName().equals("annotationType")) {
                        return HttpConfig.class;
                    }
                    Object value = properties.get(method.getName());
                    return value != null ? value : method.getDefaultValue();
                });
    }

    HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpRequest.Builder get(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).GET();
        return token == null ? b : b.header("Authorization", "Bearer " + token);
    }

    HttpRequest.Builder post(String path, String token, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        return token == null ? b : b.header("Authorization", "Bearer " + token);
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

}
