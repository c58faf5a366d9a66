package org.chargeedge.mqtt.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The dynamic price series from MQTT. Documented, with examples, in docs/configuration.md; keep both in step. */
@ObjectClassDefinition(id = PriceInput.PID, name = "ChargeEdge MQTT price series",
        description = "Reads spot or day-ahead prices from an MQTT topic, for Scheduled charging sessions")
@interface PriceConfig {

    @AttributeDefinition(description = "The topic the prices are published on (a filter with + or # is allowed)")
    String topic() default "";

    @AttributeDefinition(description = "What the prices are per: kWh or MWh (e.g. aWATTar's marketprice)")
    String unit() default "kWh";

    @AttributeDefinition(description = "A series older than this is not used, hours", min = "1")
    int maxAgeHours() default 36;

    @AttributeDefinition(description = "How long a plain number (the price now) holds, minutes", min = "1")
    int currentPriceMinutes() default 60;

    @AttributeDefinition(description = "The length of an entry without an end and without a next entry, minutes",
            min = "1")
    int intervalMinutes() default 60;

    @AttributeDefinition(description = "MQTT QoS of the subscription: 0, 1 or 2", min = "0", max = "2")
    int qos() default 1;
}
