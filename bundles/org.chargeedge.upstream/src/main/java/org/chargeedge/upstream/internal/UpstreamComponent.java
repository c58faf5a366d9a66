package org.chargeedge.upstream.internal;

import java.io.IOException;
import java.io.InputStream;
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
import org.chargeedge.api.smartcharging.CsmsLimits;
import org.chargeedge.api.smartcharging.GatewayLimits;
import org.chargeedge.api.store.CsmsChargingProfiles;
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
 * shell commands, and opens a link per connected charger. In every mode it offers {@link CsmsLimits}: the
 * profiles the CSMS set, kept in the store.
 */
@Component(configurationPid = UpstreamComponent.PID, service = {}, immediate = true)
@Designate(ocd = Config.class)
public class UpstreamComponent {

    static final String PID = "org.chargeedge.upstream";
    /** The site part this bundle is (the central system waits for the parts its configuration requires). */
    static final String SITE_PART = ChargerCallHandler.SITE_PART;
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamComponent.class);
    private static final int EXPIRY_WARNING_DAYS = 30;

    private final AtomicReference<LocalAuthorizationList> list = new AtomicReference<>();
    private final AtomicReference<AuthorizationCache> cache = new AtomicReference<>();
    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();
    private UpstreamLinks links;
    /** The warning for passwords over plain ws://, shown by the shell too; null when there is none. */
    private String clearText;

    @Reference
    ChargerCommands commands;
    @Reference
    SiteView site;
    @Reference
    SiteStore store;
    @Reference
    OutboundJournal journal;
    @Reference
    TransactionIdMap ids;
    @Reference
    ParkedMessages parked;
    @Reference
    CsmsChargingProfiles csmsProfiles;
    /** Optional: the balancer's limits, for GetCompositeSchedule; without it only the CSMS's own profiles count. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile GatewayLimits gatewayLimits;
    private CsmsProfiles profiles;

    @Activate
    void activate(Config config, BundleContext context) {
        Settings settings = Settings.from(config);
        // In every mode: the profiles the CSMS set before bound the chargers whether or not a link runs.
        profiles = new CsmsProfiles(csmsProfiles, site, () -> gatewayLimits, config.voltage(),
                java.time.Clock.systemUTC());
        registrations.add(context.registerService(CsmsLimits.class, profiles, null));
        registerShell(context, CsmsProfileCommands.class, new CsmsProfileCommands(profiles), "csmsprofiles");
        if (settings.standalone()) {
            // The site still counts this part as present (see the central system's requiredParts):
            // a pass-through, so that calls never wait for a link that is not configured. What the
            // chargers do is journaled by the store all the same, for when a URL is set.
            registrations.add(context.registerService(ChargerCallHandler.class,
                    (ctx, request, chain) -> chain.proceed(request), handlerProperties()));
            registerShell(context, new UpstreamShellCommands(null));
            return;
        }
        List<ConfigurationProblem> problems = new ArrayList<>(settings.problems());
        Trust trust = null;
        if (problems.isEmpty()) {
            try {
                trust = Trust.of(settings);
            } catch (ConfigurationProblem p) {
                problems.add(p);
            }
        }
        if (!problems.isEmpty()) {
            misconfigured(context, problems);
            return;
        }
        clearText = settings.clearTextWarning().orElse(null);
        if (clearText != null) {
            LOG.warn(clearText);
        }
        logClientCertificate(settings, trust);
        links = new UpstreamLinks(settings, new Services(commands, site, store, journal, ids, parked, list::get,
                cache::get, profiles), new LinkClients(trust, settings.callTimeout()), trust);

        try {
            register(context);
        } catch (RuntimeException e) {
            // DS does not deactivate a component whose activation failed: undo what was done.
            deactivate();
            throw e;
        }
    }

    /**
     * Which client certificate the link presents (OCPP security profile 3); a WARN when the site's
     * expires within {@value #EXPIRY_WARNING_DAYS} days or has expired: the CSMS will refuse it.
     */
    private static void logClientCertificate(Settings settings, Trust trust) {
        if (!settings.hasClientCertificate()) {
            return;
        }
        if (trust.clientCertificatePerCharger()) {
            LOG.info("Upstream client certificate per charger: {} with the key {}, read when each charger's link"
                    + " connects", settings.clientCertificateFile(), settings.clientKeyFile());
            return;
        }
        trust.clientCertificate("").ifPresent(c -> {
            LOG.info("Upstream client certificate: {} ({})", LinkProblem.describe(c), settings.clientCertificateFile());
            java.time.Instant notAfter = c.getNotAfter().toInstant();
            if (notAfter.isBefore(java.time.Instant.now().plus(java.time.Duration.ofDays(EXPIRY_WARNING_DAYS)))) {
                LOG.warn("Upstream client certificate ({}) {}: the CSMS refuses an expired one. Have the CSMS"
                        + " operator issue a new one and replace {} and {} (read again at the next connection, no"
                        + " restart needed)", LinkProblem.describe(c), notAfter.isBefore(java.time.Instant.now())
                        ? "has expired" : "expires within " + EXPIRY_WARNING_DAYS + " days",
                        settings.clientCertificateFile(), settings.clientKeyFile());
            }
        });
    }

    /**
     * A URL is set but the configuration cannot work: said loudly, shown as misconfigured, and the
     * chargers served locally by a pass-through handler. Nothing is lost: the store journals what
     * they do, and the link delivers it once the configuration is fixed.
     */
    private void misconfigured(BundleContext context, List<ConfigurationProblem> problems) {
        problems.forEach(p -> LOG.error(p.logLine()));
        MisconfiguredLinks status = new MisconfiguredLinks(problems, site, journal, parked, java.time.Instant.now());
        LOG.error(status.notStartedLine());
        registrations.add(context.registerService(ChargerCallHandler.class,
                (ctx, request, chain) -> chain.proceed(request), handlerProperties()));
        registrations.add(context.registerService(UpstreamStatus.class, status, null));
        registerShell(context, new UpstreamShellCommands(status));
    }

    private void registerShell(BundleContext context, UpstreamShellCommands commands) {
        registerShell(context, UpstreamShellCommands.class, commands, "upstream", "replayfailed");
    }

    private <T> void registerShell(BundleContext context, Class<T> type, T commands, String... functions) {
        Dictionary<String, Object> shell = new Hashtable<>();
        shell.put("osgi.command.scope", "chargeedge");
        shell.put("osgi.command.function", functions);
        registrations.add(context.registerService(type, commands, shell));
    }

    private void register(BundleContext context) {
        // The transaction messages' handler first, the one that names the site part last: the part is
        // present only with both, and leaves with the first unregistration (deactivate keeps this order).
        registrations.add(context.registerService(ChargerCallHandler.class, links,
                handlerProperties(UpstreamLinks.TRANSACTION_ACTIONS, UpstreamLinks.TRANSACTION_RANKING, false)));
        registrations.add(context.registerService(ChargerCallHandler.class, links,
                handlerProperties(UpstreamLinks.FORWARDED_ACTIONS, UpstreamLinks.FORWARD_RANKING, true)));

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
        registerShell(context, new UpstreamShellCommands(links, clearText));
        links.start();
        LOG.info("Upstream link to {} (one WebSocket per charger, under its charge point id)", links.url());
    }

    /** The pass-through of a link that does not run: every action, the site part. */
    private static Dictionary<String, Object> handlerProperties() {
        String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(UpstreamLinks.TRANSACTION_ACTIONS),
                java.util.Arrays.stream(UpstreamLinks.FORWARDED_ACTIONS)).toArray(String[]::new);
        return handlerProperties(all, UpstreamLinks.FORWARD_RANKING, true);
    }

    private static Dictionary<String, Object> handlerProperties(String[] actions, int ranking, boolean sitePart) {
        Dictionary<String, Object> handler = new Hashtable<>();
        handler.put(ChargerCallHandler.ACTIONS, actions);
        handler.put(Constants.SERVICE_RANKING, ranking);
        if (sitePart) {
            handler.put(SITE_PART, "upstream");
        }
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
}
