package org.chargeedge.mqtt.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Documented, with examples, in docs/configuration.md; keep both in step. */
@ObjectClassDefinition(id = StatePublisher.PID, name = "ChargeEdge MQTT site state",
        description = "Publishes the site (grid, PV, battery, chargers) under the base topic, and Home Assistant discovery")
@interface StateConfig {

    @AttributeDefinition(description = "Publish the site state (whenever a broker is configured)")
    boolean enabled() default true;

    @AttributeDefinition(description = "Milliseconds between checks for changes; a changed document is published at once", min = "100")
    int intervalMillis() default 1000;

    @AttributeDefinition(description = "Seconds after which unchanged documents are published again", min = "0")
    int republishSeconds() default 300;

    @AttributeDefinition(description = "QoS of the state messages", min = "0", max = "2")
    int qos() default 1;

    @AttributeDefinition(description = "Publish Home Assistant MQTT discovery so the site and each charger appear without configuration")
    boolean homeAssistant() default false;

    @AttributeDefinition(description = "Home Assistant discovery prefix")
    String discoveryPrefix() default "homeassistant";

    @AttributeDefinition(description = "Node id for unique ids in Home Assistant; empty for the base topic. Distinct per gateway on one broker")
    String nodeId() default "";
}
