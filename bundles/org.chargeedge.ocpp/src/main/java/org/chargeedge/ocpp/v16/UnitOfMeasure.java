package org.chargeedge.ocpp.v16;

/** Unit of a sampled value. On input the misspelling "Celcius" of the OCPP 1.6 JSON schema is read as {@link #Celsius}. Constants are spelled as on the wire. */
public enum UnitOfMeasure implements OcppEnum {
    Wh,
    kWh,
    varh,
    kvarh,
    W,
    kW,
    VA,
    kVA,
    var,
    kvar,
    A,
    V,
    Celsius,
    Fahrenheit,
    K,
    Percent
}
