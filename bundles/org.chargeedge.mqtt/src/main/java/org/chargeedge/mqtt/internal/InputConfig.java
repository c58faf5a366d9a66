package org.chargeedge.mqtt.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * One energy input (a factory configuration per device). Hand-written
 * mappings are further properties {@code mapping.NAME = LINE}, see
 * {@link MappingLine}. Documented, with an example per preset, in
 * docs/configuration.md; keep both in step.
 */
@ObjectClassDefinition(id = MqttInput.PID, name = "ChargeEdge MQTT energy input",
        description = "Reads a device's measurements from MQTT into the site energy model")
@interface InputConfig {

    @AttributeDefinition(description = "generic, opendtu, ahoydtu, victron, shelly3em, shellypro3em, tasmota, "
            + "sbfspot, smaem, fronius, homeassistant or zigbee2mqtt")
    String preset() default "generic";

    @AttributeDefinition(description = "The device's topic prefix; empty for the preset's default")
    String topicPrefix() default "";

    @AttributeDefinition(description = "Serial, portal id, device id, friendly name or object id, where the preset needs one")
    String device() default "";

    @AttributeDefinition(description = "Where the meter measures: grid, pv, battery, building or circuit:NAME; "
            + "empty for the preset's default")
    String meter() default "";

    @AttributeDefinition(description = "homeassistant: POWER, CURRENT, VOLTAGE, ENERGY or SOC")
    String quantity() default "POWER";

    @AttributeDefinition(description = "homeassistant: factor to W, A, V, Wh or % (1000 for kW or kWh)")
    double scale() default 1;

    @AttributeDefinition(description = "Flip the sign of power values (a meter counting export as positive)")
    boolean invert() default false;

    @AttributeDefinition(description = "Seconds after which a value is unknown; 0 for the preset's default", min = "0")
    int staleAfter() default 0;

    @AttributeDefinition(description = "victron: PV power from dc (MPPT), ac (PV inverter on the grid side), "
            + "output (PV inverter on the inverter/charger's AC output), both (dc + ac), or a list such as dc,ac,output")
    String pv() default "dc";

    @AttributeDefinition(description = "Phases the site has (1, 2 or 3): the others are not read", min = "1", max = "3")
    int phases() default 3;

    @AttributeDefinition(description = "Seconds within which the load balancer needs each new grid reading; "
            + "a grid meter reporting more slowly is warned about", min = "1")
    int reactionTime() default InputSettings.DEFAULT_REACTION_SECONDS;

    @AttributeDefinition(description = "tasmota: sensor name in the SENSOR message")
    String sensor() default "SML";

    @AttributeDefinition(description = "tasmota: label of the power value (W)")
    String powerLabel() default "Power_curr";

    @AttributeDefinition(description = "tasmota: label of the import energy register (kWh); empty for none")
    String energyLabel() default "Total_in";

    @AttributeDefinition(description = "MQTT QoS of the subscriptions", min = "0", max = "2")
    int qos() default 0;
}
