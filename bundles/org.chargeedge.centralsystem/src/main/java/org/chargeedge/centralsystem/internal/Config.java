package org.chargeedge.centralsystem.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Documented, with examples, in docs/configuration.md; keep both in step. */
@ObjectClassDefinition(
        id = CentralSystem.PID,
        name = "ChargeEdge local central system",
        description = "The OCPP 1.6J server the site's chargers connect to")
@interface Config {

    @AttributeDefinition(description = "Address to listen on; 0.0.0.0 for all interfaces")
    String host() default "0.0.0.0";

    @AttributeDefinition(description = "TCP port (environment: CHARGEEDGE_OCPP_PORT)", min = "1", max = "65535")
    int port() default 9000;

    @AttributeDefinition(description = "Path before the charge point id: ws://HOST:PORT{pathPrefix}{chargePointId}")
    String pathPrefix() default "/ocpp/";

    @AttributeDefinition(description = "Comma-separated charge point ids the site knows (they connect at the site's "
            + "securityProfile); others are refused and listed as waiting unless unknownChargers is Open")
    String chargePointIds() default "";

    @AttributeDefinition(description = "Unknown charge point ids: Wait (refused at the handshake and listed as "
            + "waiting for an operator to accept them: chargeedge:waiting, chargeedge:accept; or chargeedge:commission "
            + "opens a window in which they are accepted) or Open (any valid id is accepted)")
    UnknownChargers unknownChargers() default UnknownChargers.Wait;

    @AttributeDefinition(description = "The site's OCPP security profile for chargers without their own: 0 none, "
            + "1 HTTP Basic, 2 TLS with Basic, 3 TLS with client certificates", min = "0", max = "3")
    int securityProfile() default 0;

    @AttributeDefinition(description = "Chargers' own security profiles: comma-separated ID=PROFILE, e.g. CP-1=2, CP-2=3")
    String chargerProfiles() default "";

    @AttributeDefinition(description = "Chargers' passwords (AuthorizationKey) as bcrypt hashes: comma-separated "
            + "ID=HASH; make a hash with chargeedge:hashkey")
    String chargerKeyHashes() default "";

    @AttributeDefinition(description = "Whether the plain ws:// port (port) listens; off when every charger uses wss://")
    boolean plainPortEnabled() default true;

    @AttributeDefinition(description = "TCP port of wss:// (profiles 2 and 3); 0: no wss:// port", min = "0", max = "65535")
    int tlsPort() default 0;

    @AttributeDefinition(description = "PEM file with the gateway's certificate, then its intermediates (wss://)")
    String tlsCertificateFile() default "";

    @AttributeDefinition(description = "PEM file with the private key of tlsCertificateFile (unencrypted: PKCS#8, PKCS#1 or SEC1)")
    String tlsKeyFile() default "";

    @AttributeDefinition(description = "PEM file with the CA certificates that sign the chargers' client certificates "
            + "(security profile 3); empty: no client certificates")
    String chargerCaFile() default "";

    @AttributeDefinition(description = "The O (organization) a charger certificate's subject must name, the "
            + "operator's name; empty: not checked")
    String chargerCertificateOrganization() default "";

    @AttributeDefinition(description = "Longest HTTP request line of a handshake in bytes; longer: 414 and close", min = "256")
    int maxRequestLineLength() default 4096;

    @AttributeDefinition(description = "Largest HTTP header block of a handshake in bytes; larger: 431 and close", min = "1024")
    int maxHeaderSize() default 8192;

    @AttributeDefinition(description = "Seconds from TCP accept to an open WebSocket (TLS included); then the socket is "
            + "closed", min = "1")
    int handshakeTimeoutSeconds() default 30;

    @AttributeDefinition(description = "Bytes that may wait to be written to a charger that does not read; more and "
            + "it is disconnected", min = "65536")
    int maxQueuedBytes() default 1048576;

    @AttributeDefinition(description = "Open sockets from one IP address (chargers behind one NAT router share one)",
            min = "1")
    int maxConnectionsPerAddress() default 32;

    @AttributeDefinition(description = "Comma-separated IP addresses exempt from maxConnectionsPerAddress: by default "
            + "the loopback addresses, where a TLS-terminating proxy on the same machine brings every charger from")
    String unlimitedAddresses() default "127.0.0.1, ::1";

    @AttributeDefinition(description = "Open sockets in all; keep it below the process's file descriptor limit", min = "1")
    int maxConnections() default 2000;

    @AttributeDefinition(description = "Longest accepted charge point id", min = "1", max = "255")
    int maxChargePointIdLength() default 48;

    @AttributeDefinition(description = "Largest accepted WebSocket message in bytes, all its fragments together; "
            + "larger ones close the connection with 1009 as soon as the limit is passed", min = "1024")
    int maxMessageSize() default 262144;

    @AttributeDefinition(description = "Seconds between WebSocket pings; a charger that answers none for 1.5 intervals is disconnected; 0 disables", min = "0")
    int pingInterval() default 60;

    @AttributeDefinition(description = "Seconds a charger has to answer a call from the gateway", min = "1")
    int callTimeout() default 30;

    @AttributeDefinition(description = "Calls that may wait for one charger before new ones are refused", min = "1")
    int maxQueuedCalls() default 64;

    @AttributeDefinition(description = "Seconds the handlers may take to answer a charger's call before it gets InternalError", min = "1")
    int handlerTimeout() default 30;

    @AttributeDefinition(description = "Heartbeat interval in seconds given to chargers in the BootNotification answer", min = "1")
    int heartbeatInterval() default 300;

    @AttributeDefinition(description = "Built-in idTag decision until a local authorization list is installed: "
            + "AcceptAll, AcceptListed (only acceptedIdTags) or RejectAll")
    AuthorizationPolicy authorizationPolicy() default AuthorizationPolicy.AcceptAll;

    @AttributeDefinition(description = "Comma-separated idTags accepted under AcceptListed")
    String acceptedIdTags() default "";

    @AttributeDefinition(description = "Refuse StartTransaction, MeterValues and StopTransaction (CALLERROR InternalError) "
            + "while no store is running, so nothing is acknowledged that is not kept on disk")
    boolean requireStore() default false;

    @AttributeDefinition(description = "Comma-separated site parts (the chargeedge.site.part property of call "
            + "handlers, e.g. store, authorization, upstream) that must all be registered before a charger's call is "
            + "answered; until then calls wait. Empty: nothing is required")
    String requiredParts() default "";

    @AttributeDefinition(description = "Seconds a charger's call waits for missing required parts; then "
            + "StartTransaction, StopTransaction, MeterValues and Authorize get CALLERROR InternalError and other "
            + "calls are answered without the missing parts", min = "1")
    int readinessTimeoutSeconds() default 10;

    @AttributeDefinition(description = "Network threads, and as many OCPP worker threads; 0 means one per processor", min = "0")
    int ioThreads() default 0;

    @AttributeDefinition(description = "Connections the operating system may hold waiting to be accepted (listen "
            + "backlog, capped by net.core.somaxconn). After a restart every charger of the site reconnects at once; a "
            + "short backlog drops their connection attempts and TCP retries them only after 1, 3, 7 s", min = "1")
    int acceptBacklog() default 1024;
}
