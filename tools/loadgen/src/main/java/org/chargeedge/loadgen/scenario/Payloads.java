package org.chargeedge.loadgen.scenario;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/** Builders of OCPP 1.6 request payloads (plain JSON text) and checks of their results. */
public final class Payloads {

    public static final String BOOT_NOTIFICATION = "BootNotification";
    public static final String HEARTBEAT = "Heartbeat";
    public static final String STATUS_NOTIFICATION = "StatusNotification";
    public static final String START_TRANSACTION = "StartTransaction";
    public static final String STOP_TRANSACTION = "StopTransaction";
    public static final String METER_VALUES = "MeterValues";

    private static final Call HEARTBEAT_CALL = new Call(HEARTBEAT, "{}");

    private Payloads() {
    }

    /** OCPP dateTime, UTC with milliseconds. */
    public static String now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
    }

    public static Call bootNotification(ChargerContext ctx) {
        StringBuilder b = new StringBuilder(160);
        b.append("{\"chargePointVendor\":\"ChargeEdge\",\"chargePointModel\":\"LoadGen\",\"chargePointSerialNumber\":");
        quote(b, truncate(ctx.chargePointId(), 25));
        b.append(",\"firmwareVersion\":\"loadgen-1\"}");
        return new Call(BOOT_NOTIFICATION, b.toString());
    }

    public static Call heartbeat() {
        return HEARTBEAT_CALL;
    }

    public static Call statusNotification(int connectorId, String status) {
        return new Call(STATUS_NOTIFICATION, "{\"connectorId\":" + connectorId
                + ",\"errorCode\":\"NoError\",\"status\":\"" + status + "\",\"timestamp\":\"" + now() + "\"}");
    }

    public static Call startTransaction(int connectorId, String idTag, Meter meter) {
        long meterStart = (long) Math.floor(meter.sample());
        StringBuilder b = new StringBuilder(128);
        b.append("{\"connectorId\":").append(connectorId).append(",\"idTag\":");
        quote(b, idTag);
        b.append(",\"meterStart\":").append(meterStart).append(",\"timestamp\":\"").append(now()).append("\"}");
        return new Call(START_TRANSACTION, b.toString());
    }

    public static Call stopTransaction(long transactionId, String idTag, Meter meter) {
        long meterStop = (long) Math.floor(meter.sample());
        StringBuilder b = new StringBuilder(128);
        b.append("{\"transactionId\":").append(transactionId).append(",\"idTag\":");
        quote(b, idTag);
        b.append(",\"meterStop\":").append(meterStop).append(",\"timestamp\":\"").append(now())
                .append("\",\"reason\":\"Local\"}");
        return new Call(STOP_TRANSACTION, b.toString());
    }

    /**
     * MeterValues with one meterValue holding Energy.Active.Import.Register (Wh), Power.Active.Import
     * (W) and Current.Import for L1, L2, L3 (A). {@code transactionId} may be null (no transaction).
     */
    public static Call meterValues(int connectorId, Long transactionId, Meter meter) {
        double energy = meter.sample();
        StringBuilder b = new StringBuilder(720);
        b.append("{\"connectorId\":").append(connectorId);
        if (transactionId != null) {
            b.append(",\"transactionId\":").append(transactionId.longValue());
        }
        b.append(",\"meterValue\":[{\"timestamp\":\"").append(now()).append("\",\"sampledValue\":[");
        sampled(b, energy, "Energy.Active.Import.Register", null, "Wh");
        b.append(',');
        sampled(b, meter.powerW(), "Power.Active.Import", null, "W");
        for (int p = 0; p < 3; p++) {
            b.append(',');
            sampled(b, meter.currentA(p), "Current.Import", "L" + (p + 1), "A");
        }
        b.append("]}]}");
        return new Call(METER_VALUES, b.toString());
    }

    private static void sampled(StringBuilder b, double value, String measurand, String phase, String unit) {
        b.append("{\"value\":\"");
        oneDecimal(b, value);
        b.append("\",\"context\":\"Sample.Periodic\",\"format\":\"Raw\",\"measurand\":\"").append(measurand).append('"');
        if (phase != null) {
            b.append(",\"phase\":\"").append(phase).append('"');
        }
        b.append(",\"location\":\"Outlet\",\"unit\":\"").append(unit).append("\"}");
    }

    private static void oneDecimal(StringBuilder b, double v) {
        long tenths = Math.round(v * 10);
        if (tenths < 0) {
            b.append('-');
            tenths = -tenths;
        }
        b.append(tenths / 10).append('.').append(tenths % 10);
    }

    /**
     * Checks a StartTransaction.conf: returns its transactionId, or null after reporting an error.
     * An idTagInfo status other than Accepted is a warning (the transaction id is still valid).
     */
    public static Long checkStartTransactionResult(Map<String, Object> payload, Feedback feedback) {
        Object tx = payload.get("transactionId");
        Object info = payload.get("idTagInfo");
        if (!(tx instanceof Long) || !(info instanceof Map) || !(((Map<?, ?>) info).get("status") instanceof String)) {
            feedback.error("invalid-result:StartTransaction");
            return null;
        }
        Object status = ((Map<?, ?>) info).get("status");
        if (!"Accepted".equals(status)) {
            feedback.warning("StartTransaction:idTag-" + status);
        }
        return (Long) tx;
    }

    /** Appends {@code text} as a JSON string literal (escaped by Jackson's {@link JsonStringEncoder}). */
    public static StringBuilder quote(StringBuilder b, String text) {
        b.append('"');
        JsonStringEncoder.getInstance().quoteAsString(text, b);
        return b.append('"');
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(s.length() - max);
    }
}
