package org.chargeedge.systemd.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "ChargeEdge systemd integration",
        description = "sd_notify: READY=1 when the site is ready, STATUS=, a watchdog that pings only while the"
                + " gateway serves, STOPPING=1. Does nothing unless systemd sets NOTIFY_SOCKET.")
@interface Config {

    @AttributeDefinition(description = "Seconds after which READY=1 is sent even though the site is not ready"
            + " (what is missing is in STATUS and the log). Keep it below the unit's TimeoutStartSec (90 s).")
    int readyTimeoutSeconds() default 60;

    @AttributeDefinition(description = "Seconds the OCPP health probe may take per port; at most half the"
            + " ping interval is used.")
    int probeTimeoutSeconds() default 5;

    @AttributeDefinition(description = "Seconds a write probe of the store may stay unanswered before the"
            + " store's writer counts as stuck (a failure a restart cures).")
    int storeStuckSeconds() default 20;
}
