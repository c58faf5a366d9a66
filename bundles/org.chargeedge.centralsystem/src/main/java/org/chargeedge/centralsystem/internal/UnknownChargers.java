package org.chargeedge.centralsystem.internal;

/** What the OCPP server does with a charge point id it does not know. */
enum UnknownChargers {
    /** Refused at the handshake and listed as waiting until an operator accepts it. */
    Wait,
    /** Accepted, any valid id: for those who want a site open to every charger. */
    Open
}
