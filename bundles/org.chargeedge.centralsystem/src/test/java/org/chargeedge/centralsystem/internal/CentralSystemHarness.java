package org.chargeedge.centralsystem.internal;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.chargeedge.api.charger.ChargerCallHandler;
import org.osgi.framework.Constants;

/**
 * A real central system on a free loopback port, outside OSGi, for tests:
 * the same component the runtime activates, with its configuration given as
 * a map of the {@link Config} properties that differ from the defaults.
 * Published in this module's test jar for the tests of bundles that plug
 * handlers into the central system.
 */
public final class CentralSystemHarness implements AutoCloseable {

    final CentralSystem centralSystem = new CentralSystem();
    private long nextServiceId = 1;

    public CentralSystemHarness(Path dataDir, Map<String, Object> overrides) throws Exception {
        Map<String, Object> properties = new HashMap<>();
        properties.put("host", "127.0.0.1");
        properties.put("port", 0);
        // Tests connect ids of their own choosing; the access tests set Wait explicitly.
        properties.put("unknownChargers", UnknownChargers.Open);
        properties.putAll(overrides);
        centralSystem.start(config(properties), dataDir);
    }

    public CentralSystemHarness(Path dataDir) throws Exception {
        this(dataDir, Map.of());
    }

    public int port() {
        return centralSystem.port();
    }

    public String url(String chargePointId) {
        return "ws://127.0.0.1:" + port() + "/ocpp/" + chargePointId;
    }

    /** The wss:// port actually bound (configured with tlsPort 0 and a tlsCertificateFile: a free one). */
    public int tlsPort() {
        return centralSystem.tlsPort();
    }

    public String wssUrl(String chargePointId) {
        return "wss://127.0.0.1:" + tlsPort() + "/ocpp/" + chargePointId;
    }

    /** Registers a whiteboard handler as DS would. */
    public void addHandler(ChargerCallHandler handler, int ranking, String... actions) {
        centralSystem.addHandler(handler, properties(ranking, actions));
    }

    /** Registers a whiteboard handler that is the site part {@code part} ({@link ChargerCallHandler#SITE_PART}). */
    public void addSitePart(String part, ChargerCallHandler handler, int ranking, String... actions) {
        Map<String, Object> props = properties(ranking, actions);
        props.put(ChargerCallHandler.SITE_PART, part);
        centralSystem.addHandler(handler, props);
    }

    private Map<String, Object> properties(int ranking, String... actions) {
        Map<String, Object> props = new HashMap<>();
        props.put(ChargerCallHandler.ACTIONS, actions);
        props.put(Constants.SERVICE_RANKING, ranking);
        props.put(Constants.SERVICE_ID, nextServiceId++);
        return props;
    }

    /** Binds the upstream link's status service, as DS does, or unbinds it with null. */
    public void setUpstreamStatus(org.chargeedge.api.upstream.UpstreamStatus status) {
        org.chargeedge.api.upstream.UpstreamStatus previous = upstream;
        if (status != null) {
            centralSystem.setUpstreamStatus(status);
        }
        if (previous != null) {
            centralSystem.unsetUpstreamStatus(previous);
        }
        upstream = status;
    }

    private org.chargeedge.api.upstream.UpstreamStatus upstream;

    /** Unregisters a handler, as DS does when its service goes. */
    public void removeHandler(ChargerCallHandler handler) {
        centralSystem.removeHandler(handler);
    }

    /** The services the component offers. */
    public org.chargeedge.api.charger.ChargerCommands commands() {
        return centralSystem;
    }

    public org.chargeedge.api.charger.SiteView siteView() {
        return centralSystem;
    }

    public org.chargeedge.api.charger.OcppServerHealth health() {
        return centralSystem;
    }

    public org.chargeedge.api.charger.CallStatistics calls() {
        return centralSystem;
    }

    public org.chargeedge.api.charger.ChargerAccess access() {
        return centralSystem;
    }

    @Override
    public void close() {
        centralSystem.deactivate();
    }

    /** A {@link Config} with its annotation defaults, overridden by {@code properties}. */
    static Config config(Map<String, Object> properties) {
        return (Config) Proxy.newProxyInstance(Config.class.getClassLoader(), new Class<?>[] {Config.class},
                (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class || method.getName().equals("annotationType")) {
                        return method.getName().equals("annotationType") ? Config.class : null;
                    }
                    Object value = properties.get(method.getName());
                    return value != null ? value : method.getDefaultValue();
                });
    }
}
