package org.chargeedge.upstream.internal;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocketHandshakeException;
import java.nio.channels.UnresolvedAddressException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

import org.chargeedge.tls.PemFiles;
import org.chargeedge.tls.TlsFileException;
import org.slf4j.event.Level;

/**
 * Why an attempt to open a charger's upstream WebSocket failed, from the exception the JDK's
 * {@code java.net.http} client gave: the kind, an explanation an installer understands that names
 * the fix, the log level and the retry pace.
 *
 * <p>The cause chain is searched for what the JDK actually throws: {@link WebSocketHandshakeException}
 * with the CSMS's HTTP status; {@link CertPathValidatorException} with its reason (expired, not
 * yet valid) or {@link CertificateExpiredException}; {@link CertPathBuilderException} ("unable to
 * find valid certification path": the issuer is not trusted); the host name check's
 * {@link CertificateException} ("No subject alternative names matching", "No name matching"); TLS
 * alerts and version refusals in {@link SSLHandshakeException}; {@link UnknownHostException},
 * {@link java.nio.channels.UnresolvedAddressException} (how the HTTP client reports an unknown host),
 * {@link ConnectException}, {@link HttpTimeoutException}. The chain the server presented (recorded
 * by {@link Trust}) adds the certificate's names, dates and issuer to the explanation.
 *
 * <p>Retry pace. Problems that do not go away by themselves wait for a person to change something
 * on the site or at the CSMS: an untrusted, mismatched, expired or not yet valid certificate (the
 * certificate, {@code caFile}, {@code url} or the gateway's clock must change), a TLS handshake the
 * two sides cannot agree on, refused credentials (401, 403), an unknown charge point or path (404),
 * and the other 4xx answers. Retrying them quickly only fills the log and, for credentials, can get
 * the charger locked out by the CSMS; they are retried at the slow pace ({@code reconnectMaxMillis})
 * and logged as ERROR, because someone must act. Problems of the network or of the CSMS's
 * availability (connection refused or reset, no route, DNS, timeouts, HTTP 5xx, 408, 429) usually
 * end by themselves, and the sooner the link is back the sooner the queue is delivered: they are
 * retried with the normal backoff ({@code reconnectMinMillis} doubling up to
 * {@code reconnectMaxMillis}, with jitter) and logged as WARN.
 */
final class LinkProblem {

    enum Kind {
        /** Connection refused, reset, no route, network unreachable. */
        NETWORK,
        /** The CSMS's host name cannot be resolved. */
        DNS,
        /** No answer in time (connect or opening handshake). */
        TIMEOUT,
        /** The CSMS's certificate is not signed by a CA the gateway trusts. */
        TLS_UNTRUSTED,
        /** The CSMS's certificate does not name the host of {@code url}. */
        TLS_NAME_MISMATCH,
        /** A certificate of the CSMS's chain has expired. */
        TLS_EXPIRED,
        /** A certificate of the CSMS's chain is not valid yet (often: the gateway's clock). */
        TLS_NOT_YET_VALID,
        /** No TLS version or cipher suite in common, or no TLS at all. */
        TLS_HANDSHAKE,
        /** The CSMS wants a client certificate and none is configured, or it refused the gateway's. */
        TLS_CLIENT_CERTIFICATE,
        /** The client certificate's files cannot be used (a charger's own, or the site's changed since the start). */
        CLIENT_CERTIFICATE_FILE,
        /** HTTP 401 or 403. */
        CREDENTIALS_REFUSED,
        /** HTTP 404: the charge point id is unknown to the CSMS, or the path is wrong. */
        UNKNOWN_CHARGER,
        /** Any other HTTP status to the opening handshake. */
        HTTP_REFUSED,
        /** Anything else; the explanation carries the JDK's text. */
        UNEXPECTED
    }

    /** TLS alerts a server sends about the client's certificate (RFC 8446, 6.2). */
    private static final Set<String> CLIENT_CERTIFICATE_ALERTS = Set.of("certificate_required", "bad_certificate",
            "unknown_ca", "certificate_unknown", "certificate_expired", "certificate_revoked",
            "unsupported_certificate", "access_denied");
    private static final String RECEIVED_ALERT = "Received fatal alert:";
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private final Kind kind;
    private final boolean slowRetry;
    private final String explanation;
    private final String summary;
    private final Throwable failure;

    private LinkProblem(Kind kind, boolean slowRetry, String summary, String explanation, Throwable failure) {
        this.kind = kind;
        this.slowRetry = slowRetry;
        this.summary = summary;
        this.explanation = explanation;
        this.failure = failure;
    }

    Kind kind() {
        return kind;
    }

    /** ERROR for what an installer or the CSMS operator must fix; WARN for what passes by itself. */
    Level level() {
        return slowRetry ? Level.ERROR : Level.WARN;
    }

    /** Whether the next attempt waits {@code reconnectMaxMillis} rather than the normal backoff. */
    boolean slowRetry() {
        return slowRetry;
    }

    /** What happened and what to do about it, in whole sentences. */
    String explanation() {
        return explanation;
    }

    /** A few words for the status ({@code lastProblem}): the HTTP status, the certificate's problem. */
    String summary() {
        return summary;
    }

    /** The exception the client gave. */
    Throwable failure() {
        return failure;
    }

    /** The JDK's own text of every exception in the cause chain, for a DEBUG line or a support request. */
    String technical() {
        List<String> texts = new ArrayList<>();
        for (Throwable t : causes(failure)) {
            texts.add(t.toString());
        }
        return String.join(" <- ", texts);
    }

    /** The delay before attempt {@code attempt} (1 = first retry): the slow pace or the normal backoff. */
    Duration retryDelay(Settings settings, int attempt, double random) {
        return slowRetry ? settings.reconnectMax() : settings.backoff(attempt, random);
    }

    @Override
    public String toString() {
        return kind + ": " + summary;
    }

    // ---- classification -----------------------------------------------------------------------

    /**
     * @param failure what the client's {@code buildAsync} completed with (a {@link CompletionException}
     *                is looked through)
     * @param chargePointId the charger whose link failed
     * @param settings the link's settings (URL, credentials, timeouts)
     * @param trust the trust the HTTP client uses, for the chain the server presented; null without
     */
    static LinkProblem classify(Throwable failure, String chargePointId, Settings settings, Trust trust) {
        URI uri;
        try {
            uri = settings.uri(chargePointId);
        } catch (IllegalArgumentException e) {
            uri = URI.create("ws://invalid/");
        }
        return new Classifier(failure, chargePointId, settings, uri, trust).classify();
    }

    private static final class Classifier {
        final Throwable failure;
        final List<Throwable> chain;
        final String chargePointId;
        final Settings settings;
        final URI uri;
        final Trust trust;
        final String host;
        final String hostPort;

        Classifier(Throwable failure, String chargePointId, Settings settings, URI uri, Trust trust) {
            this.failure = failure;
            this.chain = causes(failure);
            this.chargePointId = chargePointId;
            this.settings = settings;
            this.uri = uri;
            this.trust = trust;
            this.host = uri.getHost() == null ? String.valueOf(uri.getAuthority()) : uri.getHost();
            int port = uri.getPort() != -1 ? uri.getPort() : "wss".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
            this.hostPort = host + ":" + port;
        }

        LinkProblem classify() {
            TlsFileException files = find(TlsFileException.class);
            if (files != null) {
                return problem(Kind.CLIENT_CERTIFICATE_FILE, true, "client certificate: " + files.problem(),
                        "the client certificate of " + chargePointId + " (" + Trust.CLIENT_CERTIFICATE_FILE + ", "
                                + Trust.CLIENT_KEY_FILE + ") cannot be used: " + files.getMessage());
            }
            WebSocketHandshakeException handshake = find(WebSocketHandshakeException.class);
            if (handshake != null) {
                return http(handshake);
            }
            LinkProblem tls = certificate();
            if (tls != null) {
                return tls;
            }
            tls = clientCertificateRefused();
            if (tls != null) {
                return tls;
            }
            tls = handshakeAlert();
            if (tls != null) {
                return tls;
            }
            // The HTTP client reports an unknown host as a ConnectException caused by UnresolvedAddressException.
            if (find(UnknownHostException.class) != null || find(UnresolvedAddressException.class) != null) {
                return problem(Kind.DNS, false, "DNS: host " + host + " not found",
                        "the host name " + host + " in url cannot be resolved to an address. Check url for a typo,"
                                + " and that the site PC has a working DNS server and internet connection");
            }
            if (find(HttpTimeoutException.class) != null || find(SocketTimeoutException.class) != null
                    || find(TimeoutException.class) != null) {
                return problem(Kind.TIMEOUT, false, "timeout: no answer from " + hostPort,
                        "no answer from " + hostPort + " within " + settings.callTimeout().toMillis()
                                + " ms (callTimeoutMillis). The site's internet connection is down or very slow, or a"
                                + " firewall silently drops the connection: check that the site's firewall lets the"
                                + " gateway connect out to " + hostPort);
            }
            ConnectException refused = find(ConnectException.class);
            if (refused != null) {
                return problem(Kind.NETWORK, false, "network: connection to " + hostPort + " refused",
                        "nothing accepts connections at " + hostPort + " (" + text(refused, "connection refused")
                                + "). The CSMS is down, the port in url is wrong, or a firewall rejects the"
                                + " connection: check url, and that the site's firewall lets the gateway connect"
                                + " out to " + hostPort);
            }
            java.io.IOException io = find(java.io.IOException.class);
            if (io != null) {
                return problem(Kind.NETWORK, false, "network: " + text(io, io.getClass().getSimpleName()),
                        "the connection to " + hostPort + " failed (" + text(io, io.getClass().getSimpleName())
                                + "). Check the site's internet connection (router, LTE modem) and firewall; if it"
                                + " keeps happening while the internet works, check the scheme and port in url"
                                + " (wss:// for the CSMS's TLS port, ws:// for a plain one)");
            }
            return problem(Kind.UNEXPECTED, false, "failed: " + failure, "the connection to " + uri
                    + " failed unexpectedly (" + failure + ")");
        }

        // ---- HTTP -------------------------------------------------------------------------------

        private LinkProblem http(WebSocketHandshakeException e) {
            int status = e.getResponse() == null ? 0 : e.getResponse().statusCode();
            String refusedWith = "refused by the CSMS with HTTP " + status;
            if (status == 401 || status == 403) {
                String user = settings.username().isEmpty() ? chargePointId : settings.username();
                String userFrom = settings.username().isEmpty() ? "the charge point id, as username is empty"
                        : "from username";
                String passwordFrom = settings.chargerPasswords().containsKey(chargePointId)
                        ? "the chargerPasswords entry for " + chargePointId
                        : "the key password (" + chargePointId + " has no chargerPasswords entry)";
                String text;
                if (settings.authorization(chargePointId).isEmpty()) {
                    text = "the CSMS wants credentials for " + chargePointId + " (HTTP " + status + ") and none is"
                            + " configured: set password, or a chargerPasswords entry " + chargePointId
                            + "=PASSWORD, to the password the CSMS has for " + chargePointId;
                } else if (status == 401) {
                    text = "the CSMS refused the credentials of " + chargePointId + " (HTTP 401). The gateway sent"
                            + " the user name '" + user + "' (" + userFrom + ") and the password from " + passwordFrom
                            + ": check both against what the CSMS has for " + chargePointId;
                } else {
                    text = "the CSMS refuses " + chargePointId + " (HTTP 403 Forbidden): the credentials (user '"
                            + user + "', password from " + passwordFrom + ") are wrong, or " + chargePointId
                            + " is blocked or not allowed at the CSMS; check both with the CSMS operator";
                }
                return problem(Kind.CREDENTIALS_REFUSED, true, refusedWith + " (credentials)", text);
            }
            Optional<List<String>> requested = trust == null ? Optional.empty()
                    : trust.clientCertificateRequest(uri, settings.callTimeout());
            if (status == 400 && requested.isPresent()) {
                return clientCertificate("HTTP 400", requested);
            }
            if (status == 404) {
                return problem(Kind.UNKNOWN_CHARGER, true, refusedWith + " (unknown charge point id or wrong URL)",
                        "the CSMS does not know the path " + uri.getRawPath() + " (HTTP 404): either "
                                + chargePointId + " is not registered at the CSMS (it must be, under exactly this"
                                + " charge point id), or the path in url is wrong (the charge point id is appended"
                                + " to url: compare it with the OCPP-J endpoint the CSMS operator gave)");
            }
            if (status >= 500 || status == 408 || status == 429) {
                return problem(Kind.HTTP_REFUSED, false, refusedWith, "the CSMS answered HTTP " + status
                        + " to the connection: a fault, an overload or maintenance at the CSMS or at a proxy in"
                        + " front of it. Nothing to change on the site; ask the CSMS operator if it lasts");
            }
            if (status >= 300 && status < 400) {
                String location = e.getResponse().headers().firstValue("location").orElse("another address");
                return problem(Kind.HTTP_REFUSED, true, refusedWith + " (redirect)", "the CSMS redirects "
                        + uri + " to " + location + " (HTTP " + status + "), and the gateway does not follow"
                        + " redirects: set url to the new address");
            }
            if (status == 101) {
                Throwable why = e.getCause() != null ? e.getCause() : e;
                return problem(Kind.HTTP_REFUSED, true, "invalid WebSocket handshake answer", "the CSMS accepted"
                        + " the connection but its answer is not valid (" + text(why, why.toString()) + "): check"
                        + " that url is the CSMS's OCPP 1.6J endpoint and that it accepts the subprotocol ocpp1.6");
            }
            return problem(Kind.HTTP_REFUSED, true, refusedWith, "the CSMS refused the connection with HTTP "
                    + status + ": url is probably not the CSMS's OCPP 1.6J WebSocket endpoint (ask the CSMS operator"
                    + " for it), or the CSMS does not accept the subprotocol ocpp1.6");
        }

        // ---- certificates -----------------------------------------------------------------------

        private LinkProblem certificate() {
            CertPathValidatorException validator = find(CertPathValidatorException.class);
            boolean expired = find(CertificateExpiredException.class) != null;
            boolean notYet = find(CertificateNotYetValidException.class) != null;
            if (validator != null) {
                CertPathValidatorException.Reason reason = validator.getReason();
                expired |= reason == CertPathValidatorException.BasicReason.EXPIRED;
                notYet |= reason == CertPathValidatorException.BasicReason.NOT_YET_VALID;
            }
            List<X509Certificate> served = trust == null ? List.of() : trust.lastServerChain(uri);
            if (!expired && !notYet && validator != null && String.valueOf(validator.getMessage())
                    .contains("validity check failed")) {
                // No reason given: the dates of the chain tell which.
                Instant now = Instant.now();
                for (X509Certificate c : served) {
                    expired |= c.getNotAfter().toInstant().isBefore(now);
                    notYet |= c.getNotBefore().toInstant().isAfter(now);
                }
            }
            if (expired || notYet) {
                return validity(expired, validator, served);
            }
            if (find(CertPathBuilderException.class) != null || mentions("unable to find valid certification path")
                    || mentions("PKIX path building failed")) {
                return untrusted(served);
            }
            CertificateException identity = null;
            for (Throwable t : chain) {
                if (t instanceof CertificateException c && !(t instanceof CertificateParsingException)
                        && (String.valueOf(c.getMessage()).contains("No subject alternative")
                        || String.valueOf(c.getMessage()).contains("No name matching"))) {
                    identity = c;
                    break;
                }
            }
            if (identity != null) {
                return nameMismatch(served);
            }
            if (validator != null) {
                return refusedChain(validator, served);
            }
            return null;
        }

        private LinkProblem validity(boolean expired, CertPathValidatorException validator,
                                     List<X509Certificate> served) {
            X509Certificate bad = null;
            int index = -1;
            if (validator != null && validator.getCertPath() != null && validator.getIndex() >= 0) {
                List<? extends Certificate> path = validator.getCertPath().getCertificates();
                if (validator.getIndex() < path.size() && path.get(validator.getIndex()) instanceof X509Certificate x) {
                    bad = x;
                    index = validator.getIndex();
                }
            }
            Instant now = Instant.now();
            if (bad == null) {
                for (int i = 0; i < served.size(); i++) {
                    X509Certificate c = served.get(i);
                    if (expired ? c.getNotAfter().toInstant().isBefore(now) : c.getNotBefore().toInstant().isAfter(now)) {
                        bad = c;
                        index = i;
                        break;
                    }
                }
            }
            String which = bad == null ? "the CSMS's certificate"
                    : index == 0 ? "the CSMS's certificate (" + subject(bad) + ")"
                    : "the CA certificate " + subject(bad) + " in the CSMS's chain";
            String clock = "this gateway's clock says " + DATE.format(now);
            if (expired) {
                String when = bad == null ? "" : " on " + DATE.format(bad.getNotAfter().toInstant()) + " (valid from "
                        + DATE.format(bad.getNotBefore().toInstant()) + ")";
                return problem(Kind.TLS_EXPIRED, true, "TLS: certificate expired" + (bad == null ? ""
                                : " on " + DATE.format(bad.getNotAfter().toInstant())),
                        which + " expired" + when + "; " + clock + ". The CSMS operator must renew the"
                                + " certificate; if the gateway's date is wrong, set its clock (NTP) instead");
            }
            String when = bad == null ? "" : " before " + DATE.format(bad.getNotBefore().toInstant()) + " (until "
                    + DATE.format(bad.getNotAfter().toInstant()) + ")";
            return problem(Kind.TLS_NOT_YET_VALID, true, "TLS: certificate not valid yet" + (bad == null ? ""
                            : ", from " + DATE.format(bad.getNotBefore().toInstant())),
                    which + " is not valid" + when + "; " + clock + ". The gateway's clock is most likely wrong:"
                            + " set it (NTP, or the PC's clock); otherwise the CSMS uses a certificate issued for"
                            + " later");
        }

        private LinkProblem untrusted(List<X509Certificate> served) {
            StringBuilder text = new StringBuilder("the CSMS's certificate");
            if (!served.isEmpty()) {
                X509Certificate leaf = served.get(0);
                X509Certificate top = served.get(served.size() - 1);
                text.append(" (").append(subject(leaf)).append(", issued by ")
                        .append(leaf.getIssuerX500Principal().getName()).append(')');
                if (served.size() == 1 && leaf.getSubjectX500Principal().equals(leaf.getIssuerX500Principal())) {
                    text.append(" is self-signed and not trusted by this gateway. Put that certificate into the PEM"
                            + " file named by caFile");
                } else {
                    text.append(" is not signed by a CA this gateway trusts. Set caFile to a PEM file with the CA"
                            + " certificate of ").append(top.getIssuerX500Principal().getName())
                            .append(" (the CSMS operator provides it)");
                }
            } else {
                text.append(" is not signed by a CA this gateway trusts. Set caFile to a PEM file with the CSMS's"
                        + " CA certificate (the CSMS operator provides it)");
            }
            if (trust != null && !trust.caCertificates().isEmpty()) {
                text.append("; caFile is set (").append(trust.caCertificates().size())
                        .append(" certificate(s): ").append(subjects(trust.caCertificates())).append("), so either")
                        .append(" it holds another CA, or the CSMS sends an incomplete chain (without its")
                        .append(" intermediate CA certificate): add the intermediate to caFile, or have the CSMS")
                        .append(" send its full chain");
            } else {
                text.append("; if the CA is a public one, the CSMS sends an incomplete chain (without its"
                        + " intermediate CA certificate): have the CSMS send its full chain, or add the intermediate"
                        + " to caFile");
            }
            return problem(Kind.TLS_UNTRUSTED, true, "TLS: certificate not trusted" + (served.isEmpty() ? ""
                    : " (issuer " + served.get(0).getIssuerX500Principal().getName() + ")"), text.toString());
        }

        private LinkProblem nameMismatch(List<X509Certificate> served) {
            List<String> names = served.isEmpty() ? List.of() : names(served.get(0));
            String text = names.isEmpty()
                    ? "the CSMS's certificate does not name " + host + ", the host in url"
                    : "the CSMS's certificate is for " + String.join(", ", names) + ", not for " + host
                            + " (the host in url)";
            return problem(Kind.TLS_NAME_MISMATCH, true, "TLS: certificate is not for " + host
                            + (names.isEmpty() ? "" : " (it names " + String.join(", ", names) + ")"),
                    text + ". Use in url a host name the certificate names, or have the CSMS's certificate issued"
                            + " for " + host);
        }

        private LinkProblem refusedChain(CertPathValidatorException e, List<X509Certificate> served) {
            String reason = String.valueOf(e.getReason());
            boolean weak = "ALGORITHM_CONSTRAINED".equals(reason);
            String what = weak ? "uses an algorithm or key size the JDK refuses as weak (" + e.getMessage()
                    + "): the CSMS operator must issue a certificate with a current algorithm (SHA-256, RSA 2048"
                    + " or EC P-256 at least)"
                    : "was refused (" + e.getMessage() + "): the CSMS operator must fix its certificate chain";
            return problem(Kind.TLS_UNTRUSTED, true, "TLS: certificate chain refused (" + reason + ")",
                    "the CSMS's certificate" + (served.isEmpty() ? "" : " (" + subject(served.get(0)) + ")") + " "
                            + what);
        }

        // ---- the TLS handshake itself -----------------------------------------------------------

        private LinkProblem handshakeAlert() {
            SSLException ssl = find(SSLException.class);
            if (ssl == null) {
                return null;
            }
            String offered = trust == null ? "TLSv1.3, TLSv1.2" : String.join(", ", trust.protocols());
            if (mentions("protocol_version") || mentions("No appropriate protocol")
                    || mentions("not accepted by client preferences") || mentions("protocol is disabled")) {
                return problem(Kind.TLS_HANDSHAKE, true, "TLS: no common TLS version", hostPort + " and this"
                        + " gateway share no TLS version: the gateway offers " + offered + " and the CSMS refused them,"
                        + " or offered only older versions, which the JDK refuses as insecure. The CSMS must accept"
                        + " TLS 1.2 or later (OCPP security profile 2 requires TLS 1.2)");
            }
            if (mentions("handshake_failure") || mentions("insufficient_security")
                    || mentions("no cipher suites in common")) {
                String profile3 = settings.hasClientCertificate() ? "" : ", or the CSMS wants a client certificate"
                        + " (OCPP security profile 3: set " + Trust.CLIENT_CERTIFICATE_FILE + "/"
                        + Trust.CLIENT_KEY_FILE + ")";
                return problem(Kind.TLS_HANDSHAKE, true, "TLS: handshake refused", "the TLS handshake with "
                        + hostPort + " failed (" + firstMessage(ssl) + "): the CSMS and the gateway (TLS " + offered
                        + ") have no cipher suite in common" + profile3 + "; ask the CSMS operator which TLS settings"
                        + " it requires");
            }
            if (mentions("Unsupported or unrecognized SSL message") || mentions("plaintext connection")) {
                return problem(Kind.TLS_HANDSHAKE, true, "TLS: the server does not speak TLS", hostPort
                        + " did not answer in TLS: url says wss:// but the port serves plain HTTP. Use ws://, or"
                        + " the CSMS's TLS port");
            }
            if (mentions("Remote host terminated the handshake") || find(EOFException.class) != null
                    || find(java.net.SocketException.class) != null) {
                return problem(Kind.NETWORK, false, "network: connection closed during the TLS handshake",
                        "the connection to " + hostPort + " was closed during the TLS handshake: the CSMS, a proxy"
                                + " or a firewall in between dropped it. If it keeps happening, check that"
                                + " the site's firewall lets TLS to " + hostPort + " through and that url's port is"
                                + " the CSMS's TLS port");
            }
            if (ssl instanceof SSLHandshakeException) {
                return problem(Kind.TLS_HANDSHAKE, true, "TLS: handshake failed", "the TLS handshake with " + hostPort
                        + " failed (" + firstMessage(ssl) + "); ask the CSMS operator which TLS settings it"
                        + " requires (the gateway offers " + offered + ")");
            }
            return null;
        }

        /**
         * The CSMS wants a client certificate and none is configured, or it refused the gateway's
         * (an untrusted CA, expired, revoked, not allowed for this charger). Known by the TLS alert
         * about the client's certificate the CSMS sent; or, as the alert does not always reach the
         * client (with TLS 1.3 it comes after the client's part of the handshake, and a server that
         * closes at once leaves a reset, a broken pipe, or a record the client cannot read), by the
         * CSMS having asked for a client certificate in this attempt ({@link Trust}) and the
         * connection then ending in the TLS layer or without an HTTP answer. Other failures (refused,
         * unknown host, timeout) are never taken for this.
         */
        private LinkProblem clientCertificateRefused() {
            String alert = receivedAlert();
            Optional<List<String>> requested = trust == null ? Optional.empty()
                    : trust.clientCertificateRequest(uri, settings.callTimeout());
            if (alert != null && CLIENT_CERTIFICATE_ALERTS.contains(alert)) {
                return clientCertificate(alert, requested);
            }
            if (requested.isEmpty() || find(ConnectException.class) != null || find(UnknownHostException.class) != null
                    || find(UnresolvedAddressException.class) != null || find(HttpTimeoutException.class) != null) {
                return null;
            }
            boolean dropped = alert == null && (find(SSLException.class) != null || find(EOFException.class) != null
                    || find(java.net.SocketException.class) != null || mentions("received no bytes"));
            if ("handshake_failure".equals(alert) || dropped) {
                return clientCertificate(alert, requested);
            }
            return null;
        }

        /**
         * @param alert the TLS alert the CSMS sent, or "HTTP 400" (nginx's answer); null when the
         *              connection just ended
         * @param requested the CAs the CSMS named asking for a client certificate, when it asked
         */
        private LinkProblem clientCertificate(String alert, Optional<List<String>> requested) {
            String how = alert == null ? "it ended the connection right after the TLS handshake ("
                    + firstMessage(failure) + ")" : alert.startsWith("HTTP") ? "it answered " + alert + " to the"
                    + " WebSocket request, as web servers such as nginx answer a missing or refused client certificate"
                    : "it sent the TLS alert " + alert;
            String accepted = requested.filter(names -> !names.isEmpty())
                    .map(names -> "; it accepts client certificates issued by " + String.join(" or ", names))
                    .orElse("");
            if (!settings.hasClientCertificate()) {
                return problem(Kind.TLS_CLIENT_CERTIFICATE, true, "TLS: the CSMS requires a client certificate",
                        "the CSMS requires a client certificate; set " + Trust.CLIENT_CERTIFICATE_FILE + "/"
                                + Trust.CLIENT_KEY_FILE + " to the certificate the CSMS operator issued for "
                                + chargePointId + " and its private key (OCPP security profile 3: " + hostPort
                                + " asked for one during the TLS handshake, and the gateway has none; " + how + ")"
                                + accepted);
            }
            Optional<X509Certificate> mine = trust == null ? Optional.empty() : trust.clientCertificate(chargePointId);
            String which = "the client certificate of " + chargePointId + mine.map(c -> " (" + describe(c) + ")")
                    .orElse("");
            boolean expired = mine.map(c -> c.getNotAfter().toInstant().isBefore(Instant.now())).orElse(false);
            boolean foreign = mine.isPresent() && requested.isPresent() && !requested.get().isEmpty()
                    && !requested.get().contains(mine.get().getIssuerX500Principal().getName());
            String why = switch (alert == null ? "" : alert) {
                case "certificate_expired" -> "it has expired" + (expired ? "" : " as the CSMS sees it (its clock"
                        + " may be wrong)") + ": have the CSMS operator issue a new one and put it into "
                        + Trust.CLIENT_CERTIFICATE_FILE + " and " + Trust.CLIENT_KEY_FILE;
                case "certificate_revoked" -> "the CSMS operator revoked it: ask for a new one";
                case "access_denied" -> "the CSMS accepts the certificate, but not " + chargePointId + " with it:"
                        + " ask the CSMS operator whether the certificate is registered for " + chargePointId;
                case "unsupported_certificate" -> "the CSMS does not accept its kind (key type or key usage): ask"
                        + " the CSMS operator which certificates it takes";
                default -> (expired ? "it has expired; " : "") + (foreign ? "it is not issued by a CA the CSMS"
                        + " accepts" : "it is not issued by a CA the CSMS trusts for charge points, or not for "
                        + chargePointId + " (OCPP security profile 3: its common name must be the charge point id)")
                        + ". Ask the CSMS operator for a certificate of its CA for " + chargePointId + ", and put it"
                        + " into " + Trust.CLIENT_CERTIFICATE_FILE + " and its key into " + Trust.CLIENT_KEY_FILE;
            };
            return problem(Kind.TLS_CLIENT_CERTIFICATE, true, "TLS: the CSMS refused the client certificate"
                    + (alert == null ? "" : " (" + alert + ")"), "the CSMS at " + hostPort + " refused " + which
                    + " (" + how + "): " + why + accepted);
        }

        /** The TLS alert the CSMS sent, from the JDK's "Received fatal alert: NAME"; null when none. */
        private String receivedAlert() {
            for (Throwable t : chain) {
                String m = t.getMessage();
                int at = m == null ? -1 : m.indexOf(RECEIVED_ALERT);
                if (at >= 0) {
                    String rest = m.substring(at + RECEIVED_ALERT.length()).strip();
                    int end = 0;
                    while (end < rest.length() && (Character.isLetterOrDigit(rest.charAt(end))
                            || rest.charAt(end) == '_')) {
                        end++;
                    }
                    return rest.substring(0, end);
                }
            }
            return null;
        }

        // ---- helpers ----------------------------------------------------------------------------

        private LinkProblem problem(Kind kind, boolean slow, String summary, String explanation) {
            return new LinkProblem(kind, slow, summary, explanation, failure);
        }

        private <T extends Throwable> T find(Class<T> type) {
            for (Throwable t : chain) {
                if (type.isInstance(t)) {
                    return type.cast(t);
                }
            }
            return null;
        }

        private boolean mentions(String text) {
            for (Throwable t : chain) {
                if (t.getMessage() != null && t.getMessage().contains(text)) {
                    return true;
                }
            }
            return false;
        }

        private String firstMessage(Throwable t) {
            return text(t, t.getClass().getSimpleName());
        }
    }

    /** The failure and its causes, outermost first, without loops. */
    static List<Throwable> causes(Throwable failure) {
        List<Throwable> chain = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = failure; t != null && seen.add(t) && chain.size() < 32; t = t.getCause()) {
            if ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
                continue;
            }
            chain.add(t);
        }
        return chain;
    }

    private static String text(Throwable t, String otherwise) {
        return t.getMessage() == null || t.getMessage().isBlank() ? otherwise : t.getMessage();
    }

    /** The common name ("CN=..."), or the whole subject when it has none. */
    static String subject(X509Certificate c) {
        return PemFiles.subject(c);
    }

    /** "CN=..., issued by ..., valid until DATE": a certificate as an installer compares it with the CSMS's records. */
    static String describe(X509Certificate c) {
        return subject(c) + ", issued by " + c.getIssuerX500Principal().getName() + ", valid until "
                + DATE.format(c.getNotAfter().toInstant());
    }

    private static String subjects(List<X509Certificate> certificates) {
        List<String> s = new ArrayList<>();
        for (X509Certificate c : certificates) {
            s.add(subject(c));
        }
        return String.join("; ", s);
    }

    /** The DNS names and IP addresses a server certificate is for, or its common name without them. */
    static List<String> names(X509Certificate c) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> alternatives = c.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> a : alternatives) {
                    // 2: dNSName, 7: iPAddress.
                    if (a.size() >= 2 && (Integer.valueOf(2).equals(a.get(0)) || Integer.valueOf(7).equals(a.get(0)))) {
                        names.add(String.valueOf(a.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // Unreadable extension: fall back to the common name.
        }
        if (names.isEmpty()) {
            String cn = subject(c);
            if (cn.startsWith("CN=")) {
                names.add(cn.substring(3));
            }
        }
        return names;
    }
}
