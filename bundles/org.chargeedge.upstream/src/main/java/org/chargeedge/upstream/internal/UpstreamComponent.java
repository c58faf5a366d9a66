package org.chargeedge.upstream.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import org.chargeedge.api.authorization.AuthorizationCache;
import org.chargeedge.api.authorization.LocalAuthorizationList;
import org.chargeedge.api.charger.ChargerCallHandler;
import org.chargeedge.api.charger.ChargerCommands;
import org.chargeedge.api.charger.ChargerEvents;
import org.chargeedge.api.charger.SiteView;
import org.chargeedge.api.store.OutboundJournal;
import org.chargeedge.api.store.ParkedMessages;
import org.chargeedge.api.store.SiteStore;
import org.chargeedge.api.store.TransactionIdMap;
import org.chargeedge.api.upstream.UpstreamStatus;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upstream link's component. Without a URL it only registers a call handler that passes every
 * call on (so the site, which requires this part, is ready): no threads, no links, no log lines. With
 * one it registers the call handler, the connection event handler, {@link UpstreamStatus} and the
 * shell commands, and opens a link per connected charger.
 */
@Component(configurationPid = UpstreamComponent.PID, service = {}, immediate = true)
@Designate(ocd = Config.class)
public class UpstreamComponent {

    static final String PID = "org.chargeedge.upstream";
    /** The site part this bundle is (the central system waits for the parts its configuration requires). */
    static final String SITE_PART = "chargeedge.site.part";
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamComponent.class);

    private final AtomicReference<LocalAuthorizationList> list = new AtomicReference<>();
    private final AtomicReference<AuthorizationCache> cache = new AtomicReference<>();
    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();
    private UpstreamLinks links;

    @Reference
    ChargerCommands commands;
    @Reference
    SiteView site;
    @Reference
    SiteStore store;
    @Reference
    OutboundJournal queue;
    @Reference
    TransactionIdMap ids;
    @Reference
    ParkedMessages parked;

    @Activate
    void activate(Config config, BundleContext context) throws IOException, GeneralSecurityException {
        Settings settings = Settings.from(config);
        if (settings.standalone()) {
            // The site still counts this part as present (see the central system's requiredParts):
            // a pass-through, so that calls never wait for a link that is not configured.
            registrations.add(context.registerService(ChargerCallHandler.class,
                    (ctx, request, chain) -> chain.proceed(request), handlerProperties()));
            return;
        }
        HttpClient http = HttpClient.newBuilder().sslContext(sslContext(settings.caFile()))
                .connectTimeout(settings.callTimeout()).build();
        links = new UpstreamLinks(settings, new Services(commands, site, store, queue, ids, parked, list::get,
                cache::get), http);

        try {
            register(context);
        } catch (RuntimeException e) {
            // DS does not deactivate a component whose activation failed: undo what was done.
            deactivate();
            throw e;
        }
    }

    private void register(BundleContext context) {
        registrations.add(context.registerService(ChargerCallHandler.class, links, handlerProperties()));

        Dictionary<String, Object> events = new Hashtable<>();
        events.put(EventConstants.EVENT_TOPIC, new String[] {ChargerEvents.CONNECTED, ChargerEvents.DISCONNECTED});
        UpstreamLinks l = links;
        registrations.add(context.registerService(EventHandler.class, event -> {
            Object id = event.getProperty(ChargerEvents.CHARGE_POINT_ID);
            if (id instanceof String chargePointId) {
                if (ChargerEvents.CONNECTED.equals(event.getTopic())) {
                    l.connected(chargePointId);
                } else {
                    l.disconnected(chargePointId);
                }
            }
        }, events));
        registrations.add(context.registerService(UpstreamStatus.class, links, null));

        Dictionary<String, Object> shell = new Hashtable<>();
        shell.put("osgi.command.scope", "chargeedge");
        shell.put("osgi.command.function", new String[] {"upstream", "replayfailed"});
        registrations.add(context.registerService(UpstreamShellCommands.class, new UpstreamShellCommands(links), shell));
        links.start();
        LOG.info("Upstream link to {} (one WebSocket per charger, under its charge point id)", links.url());
    }

    private static Dictionary<String, Object> handlerProperties() {
        Dictionary<String, Object> handler = new Hashtable<>();
        handler.put(ChargerCallHandler.ACTIONS, UpstreamLinks.ACTIONS);
        handler.put(Constants.SERVICE_RANKING, UpstreamLinks.RANKING);
        handler.put(SITE_PART, "upstream");
        return handler;
    }

    @Deactivate
    void deactivate() {
        for (ServiceRegistration<?> r : registrations) {
            try {
                r.unregister();
            } catch (IllegalStateException e) {
                // Already gone with the bundle.
            }
        }
        registrations.clear();
        if (links != null) {
            links.close();
            LOG.info("Upstream links closed");
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void setLocalAuthorizationList(LocalAuthorizationList l) {
        list.set(l);
    }

    void unsetLocalAuthorizationList(LocalAuthorizationList l) {
        list.compareAndSet(l, null);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void setAuthorizationCache(AuthorizationCache c) {
        cache.set(c);
    }

    void unsetAuthorizationCache(AuthorizationCache c) {
        cache.compareAndSet(c, null);
    }

    /** The JDK's trust store, plus the configured CA when there is one. */
    static SSLContext sslContext(String caFile) throws IOException, GeneralSecurityException {
        if (caFile == null || caFile.isBlank()) {
            return SSLContext.getDefault();
        }
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        TrustManagerFactory jdk = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        jdk.init((KeyStore) null);
        int n = 0;
        for (TrustManager tm : jdk.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                for (X509Certificate c : x.getAcceptedIssuers()) {
                    trust.setCertificateEntry("jdk-" + n++, c);
                }
            }
        }
        try (InputStream in = Files.newInputStream(Path.of(caFile))) {
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("site-ca-" + n++, c);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }
}
