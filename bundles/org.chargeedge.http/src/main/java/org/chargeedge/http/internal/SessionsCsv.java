package org.chargeedge.http.internal;

import org.chargeedge.api.store.StoredTransaction;

/**
 * Charging sessions as CSV rows (RFC 4180, CRLF), for billing: one row per
 * transaction, energy in Wh from the meter readings at start and stop.
 * Values a charger sent (idTags, reasons) are quoted when needed, and a value
 * a spreadsheet would take for a formula is prefixed with an apostrophe.
 */
final class SessionsCsv {

    static final String HEADER = "transactionId,chargePointId,connectorId,idTag,startedAt,stoppedAt,"
            + "meterStartWh,meterStopWh,energyWh,stopReason,stopIdTag\r\n";

    private SessionsCsv() {
    }

    static String row(StoredTransaction t) {
        Integer energy = t.meterStart() != null && t.meterStop() != null ? t.meterStop() - t.meterStart() : null;
        return String.join(",", String.valueOf(t.transactionId()), cell(t.chargePointId()),
                String.valueOf(t.connectorId()), cell(t.idTag()), cell(t.startedAt()), cell(t.stoppedAt()),
                cell(t.meterStart()), cell(t.meterStop()), cell(energy),
                cell(t.reason() == null ? null : t.reason().value()), cell(t.stopIdTag())) + "\r\n";
    }

    static String cell(Object value) {
        if (value == null) {
            return "";
        }
        String text = value.toString();
        if (!text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0 && !(value instanceof Number)) {
            text = "'" + text;
        }
        if (text.indexOf(',') >= 0 || text.indexOf('"') >= 0 || text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
            return '"' + text.replace("\"", "\"\"") + '"';
        }
        return text;
    }
}
