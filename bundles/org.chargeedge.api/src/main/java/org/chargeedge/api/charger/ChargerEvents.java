package org.chargeedge.api.charger;

/**
 * EventAdmin topics posted (asynchronously) when a charger's state changes.
 * Every event carries {@link #CHARGE_POINT_ID} and {@link #CHARGER} (the
 * {@link ChargerInfo} snapshot after the change); connector and transaction
 * events also carry {@link #CONNECTOR_ID} and {@link #TRANSACTION_ID}.
 */
public final class ChargerEvents {

    public static final String TOPIC_PREFIX = "org/chargeedge/charger/";
    /** Subscribe to {@code org/chargeedge/charger/*} for all of them. */
    public static final String TOPIC_ALL = TOPIC_PREFIX + "*";
    public static final String CONNECTED = TOPIC_PREFIX + "CONNECTED";
    public static final String DISCONNECTED = TOPIC_PREFIX + "DISCONNECTED";
    public static final String BOOTED = TOPIC_PREFIX + "BOOTED";
    public static final String STATUS_CHANGED = TOPIC_PREFIX + "STATUS_CHANGED";
    public static final String TRANSACTION_STARTED = TOPIC_PREFIX + "TRANSACTION_STARTED";
    public static final String TRANSACTION_STOPPED = TOPIC_PREFIX + "TRANSACTION_STOPPED";
    public static final String METER_VALUES = TOPIC_PREFIX + "METER_VALUES";

    public static final String CHARGE_POINT_ID = "chargePointId";
    public static final String CONNECTOR_ID = "connectorId";
    public static final String TRANSACTION_ID = "transactionId";
    public static final String CHARGER = "charger";

    private ChargerEvents() {
    }
}
