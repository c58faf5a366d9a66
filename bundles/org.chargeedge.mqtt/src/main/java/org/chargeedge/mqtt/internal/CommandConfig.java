package org.chargeedge.mqtt.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Documented, with its topic-level authorization, in docs/configuration.md; keep both in step. */
@ObjectClassDefinition(id = CommandInput.PID, name = "ChargeEdge MQTT commands",
        description = "Commands to chargers over MQTT; off unless enabled")
@interface CommandConfig {

    @AttributeDefinition(description = "Accept commands at all")
    boolean enabled() default false;

    @AttributeDefinition(description = "Comma-separated charge point ids that may be commanded; * for every charger; empty for none")
    String chargePointIds() default "";

    @AttributeDefinition(description = "Lowest current limit sent, A; lower requests are raised to it (0 lets a limit pause charging)", min = "0")
    double minCurrent() default 6;

    @AttributeDefinition(description = "Highest current limit sent, A; higher requests are lowered to it", min = "0")
    double maxCurrent() default 32;

    @AttributeDefinition(description = "stackLevel of the ChargePointMaxProfile the gateway sets", min = "0")
    int stackLevel() default 0;
}
