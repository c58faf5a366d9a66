package org.chargeedge.upstream.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Documented, with examples, in docs/configuration.md; keep both in step. */
@ObjectClassDefinition(
        id = UpstreamComponent.PID,
        name = "ChargeEdge upstream link",
        description = "One WebSocket per connected charger to the site's cloud central system (CSMS)")
@interface Config {

    @AttributeDefinition(description = "CSMS URL (ws:// or wss://); the charge point id is appended, or replaces "
            + "{chargePointId}. Empty: the gateway runs standalone (environment: CHARGEEDGE_UPSTREAM_URL)")
    String url() default "";

    @AttributeDefinition(description = "HTTP Basic user name; empty means the charge point id (OCPP security profile 1)")
    String username() default "";

    @AttributeDefinition(description = "HTTP Basic password for every charger; empty sends no credentials",
            type = org.osgi.service.metatype.annotations.AttributeType.PASSWORD)
    String password() default "";

    @AttributeDefinition(description = "Per-charger passwords, comma-separated CHARGER=PASSWORD; they win over password",
            type = org.osgi.service.metatype.annotations.AttributeType.PASSWORD)
    String chargerPasswords() default "";

    @AttributeDefinition(description = "PEM file of a CA trusted for wss:// besides the JDK's trust store")
    String caFile() default "";

    @AttributeDefinition(description = "wss:// only: PEM file with the gateway's client certificate (then its "
            + "intermediate CA certificates) for OCPP security profile 3; {chargePointId} in the name gives each "
            + "charger its own file. Empty: no client certificate. Set together with clientKeyFile")
    String clientCertificateFile() default "";

    @AttributeDefinition(description = "PEM file with the unencrypted private key of clientCertificateFile (BEGIN "
            + "PRIVATE KEY, BEGIN RSA PRIVATE KEY or BEGIN EC PRIVATE KEY); {chargePointId} as in clientCertificateFile")
    String clientKeyFile() default "";

    @AttributeDefinition(description = "First reconnect delay in milliseconds (doubled per failure, with jitter)", min = "10")
    int reconnectMinMillis() default 1000;

    @AttributeDefinition(description = "Longest reconnect delay in milliseconds", min = "10")
    int reconnectMaxMillis() default 60000;

    @AttributeDefinition(description = "Milliseconds the CSMS has to answer an Authorize before the local decision is given", min = "1")
    int authorizeTimeoutMillis() default 2000;

    @AttributeDefinition(description = "Milliseconds the CSMS has to answer a StartTransaction (or StopTransaction) "
            + "before the charger gets the local answer", min = "1")
    int startTransactionTimeoutMillis() default 2000;

    @AttributeDefinition(description = "Milliseconds the CSMS has to answer any other call, counted from when the call "
            + "is made, before the charger gets the local answer. A call of the gateway's that the CSMS leaves "
            + "unanswered this long drops the link (it reconnects, and the message is sent again on the new "
            + "connection, never twice on one)", min = "1")
    int callTimeoutMillis() default 10000;

    @AttributeDefinition(description = "Milliseconds of silence from the CSMS after which the link sends a WebSocket "
            + "ping; with nothing heard for twice as long (a CSMS that hangs with its connection open), the link is "
            + "dropped, the chargers are answered locally and it reconnects. 0: no pings", min = "0")
    int pingIntervalMillis() default 30000;

    @AttributeDefinition(description = "Queued messages sent per second and charger during replay; 0 = no limit", min = "0")
    int replayRatePerSecond() default 20;

    @AttributeDefinition(description = "Times a queued message the CSMS answers with CALLERROR is sent again before it is parked", min = "0")
    int maxRetries() default 5;

    @AttributeDefinition(description = "Milliseconds before the first retry of a refused message; times the attempt number after", min = "1")
    int retryIntervalMillis() default 5000;

    @AttributeDefinition(description = "Stop a running transaction (RemoteStopTransaction) whose StartTransaction the CSMS "
            + "rejects after the charger was given the local answer")
    boolean stopTransactionOnInvalidId() default true;

    @AttributeDefinition(description = "Phase-to-neutral voltage, V, to turn the CSMS's charging profiles in W into "
            + "amps per phase (and back for GetCompositeSchedule in W); keep it equal to the balancer's voltage",
            min = "100")
    double voltage() default 230;
}
