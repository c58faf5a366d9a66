package org.chargeedge.http.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration PID {@code org.chargeedge.http}; documented in docs/configuration.md. */
@ObjectClassDefinition(name = "ChargeEdge HTTP API",
        description = "The operators' HTTP API: address, HTTPS, sessions and login limits")
@interface HttpConfig {

    String PID = "org.chargeedge.http";

    @AttributeDefinition(description = "Address to listen on; 127.0.0.1 (only this machine) unless the API"
            + " must be reached from the site network")
    String host() default "127.0.0.1";

    @AttributeDefinition(description = "TCP port (CHARGEEDGE_HTTP_PORT); HTTPS on this port when a certificate"
            + " is configured")
    int port() default 8080;

    @AttributeDefinition(description = "PEM certificate (then its intermediate CA certificates): serve HTTPS")
    String certificateFile() default "";

    @AttributeDefinition(description = "PEM private key of the certificate (may be the certificate file)")
    String keyFile() default "";

    @AttributeDefinition(description = "Seconds between looks at the certificate and key files: renewed files"
            + " are served without a restart (at least 1)")
    int certificateCheckSeconds() default 60;

    @AttributeDefinition(description = "A browser session ends after this many minutes without a request")
    int sessionIdleMinutes() default 30;

    @AttributeDefinition(description = "A browser session ends after this many hours in any case")
    int sessionMaxHours() default 12;

    @AttributeDefinition(description = "Failed logins allowed per user name and per address before a lockout")
    int loginFailuresAllowed() default 5;

    @AttributeDefinition(description = "Minutes a user name or address stays locked after too many failed logins")
    int loginLockoutMinutes() default 15;

    @AttributeDefinition(description = "Users and API tokens file; empty: DATA/http/users.json")
    String usersFile() default "";

    @AttributeDefinition(description = "The event log (GET /api/events/log, the dashboard's diagnostics) keeps at most"
            + " this many events")
    int eventLogEntries() default 2000;

    @AttributeDefinition(description = "The event log keeps the events of this many hours at most")
    int eventLogHours() default 6;
}
