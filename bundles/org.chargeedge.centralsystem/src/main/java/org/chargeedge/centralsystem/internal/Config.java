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

    @AttributeDefinition(description = "Comma-separated charge point ids allowed to connect; empty accepts any valid id")
    String chargePointIds() default "";

    @AttributeDefinition(description = "Longest accepted charge point id", min = "1", max = "255")
    int maxChargePointIdLength() default 48;

    @AttributeDefinition(description = "Largest accepted WebSocket message in bytes; larger ones close the connection with 1009", min = "1024")
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

    @AttributeDefinition(description = "WebSocket decoder threads; 0 means one per processor", min = "0")
    int ioThreads() default 0;

    @AttributeDefinition(description = "Connections the operating system may hold waiting to be accepted (listen "
            + "backlog, capped by net.core.somaxconn). After a restart every charger of the site reconnects at once; a "
            + "short backlog drops their connection attempts and TCP retries them only after 1, 3, 7 s", min = "1")
    int acceptBacklog() default 1024;
}
