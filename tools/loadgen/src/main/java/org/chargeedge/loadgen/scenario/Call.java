package org.chargeedge.loadgen.scenario;

/**
 * One OCPP CALL a simulated charger sends: the action name and its payload as JSON object text.
 * The frame {@code [2,"id","Action",payload]} is built around it by the charger.
 */
public record Call(String action, String payloadJson) {
}
