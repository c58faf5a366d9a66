package org.chargeedge.loadgen.scenario;

/**
 * A load scenario: a factory of per-charger scripts. Register new ones in {@link Scenarios}.
 */
public interface Scenario {

    /** The name used with {@code --scenario}. */
    String name();

    /** One line for the help text and readme. */
    String description();

    /** A fresh script for one charger; called once per connected charger when the run starts. */
    ChargerScript newCharger(ChargerContext context);
}
