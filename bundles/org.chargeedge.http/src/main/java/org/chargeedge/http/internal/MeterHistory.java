package org.chargeedge.http.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.chargeedge.api.store.SiteStore;
import org.chargeedge.api.store.StoredMeterValue;
import org.chargeedge.ocpp.v16.Measurand;
import org.chargeedge.ocpp.v16.SampledValue;

import jakarta.servlet.http.HttpServletRequest;

/**
 * {@code GET /api/chargers/ID/meter-values?from=&to=&connector=&measurand=&limit=} (viewer): what a
 * charger measured over a time range, read from the store, as OCPP MeterValue objects (a connector,
 * a timestamp and its sampled values), newest first. Without {@code from} and {@code to}: the last
 * {@value #DEFAULT_HOURS} hours. At most {@link #MAX_RANGE} and {@link SiteStore#MAX_METER_VALUE_HISTORY}
 * sampled values per request; when there are more in the range, the newest are returned with
 * {@code truncated: true} and without the oldest reading, whose values may be cut.
 */
final class MeterHistory {

    static final int DEFAULT_HOURS = 24;
    static final Duration MAX_RANGE = Duration.ofDays(31);
    static final int DEFAULT_LIMIT = 2000;

    private MeterHistory() {
    }

    /** One MeterValue as the API shows it: the reading of one connector at one time. */
    record Reading(int connectorId, Integer transactionId, Instant timestamp, List<SampledValue> sampledValue) {
    }

    static Map<String, Object> read(SiteServices site, String chargePointId, HttpServletRequest request)
            throws Json.ApiException {
        Instant to = ApiServlet.time(request.getParameter("to"), "to", true);
        Instant from = ApiServlet.time(request.getParameter("from"), "from", false);
        Instant now = Instant.now();
        if (to == null && from != null && from.plus(MAX_RANGE).isBefore(now)) {
            to = from.plus(MAX_RANGE); // the longest range from 'from'
        } else if (to == null) {
            to = now;
        }
        if (from == null) {
            from = to.minus(Duration.ofHours(DEFAULT_HOURS));
        }
        if (!from.isBefore(to)) {
            throw new Json.ApiException(400, "'from' must be before 'to'");
        }
        if (Duration.between(from, to).compareTo(MAX_RANGE) > 0) {
            throw new Json.ApiException(400, "the range from 'from' to 'to' may be " + MAX_RANGE.toDays()
                    + " days at most");
        }
        Integer connector = ApiServlet.number(request.getParameter("connector"), "connector", 0, Integer.MAX_VALUE, null);
        int limit = ApiServlet.number(request.getParameter("limit"), "limit", 1, SiteStore.MAX_METER_VALUE_HISTORY,
                DEFAULT_LIMIT);
        Measurand measurand = measurand(request.getParameter("measurand"));
        SiteStore store = SiteServices.required(site.store(), "the store");
        List<StoredMeterValue> values = store.meterValueHistory(chargePointId, connector, measurand, from, to,
                limit + 1);
        boolean truncated = values.size() > limit;
        List<Reading> readings = readings(truncated ? values.subList(0, limit) : values);
        if (truncated && !readings.isEmpty()) {
            readings.remove(readings.size() - 1);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("chargePointId", chargePointId);
        out.put("from", from);
        out.put("to", to);
        out.put("truncated", truncated);
        out.put("meterValues", readings);
        return out;
    }

    /** The store's values, newest first, grouped into readings: the values of one connector at one time. */
    static List<Reading> readings(List<StoredMeterValue> values) {
        List<Reading> out = new ArrayList<>();
        List<SampledValue> current = null;
        StoredMeterValue first = null;
        for (StoredMeterValue v : values) {
            if (first == null || first.connectorId() != v.connectorId() || !first.sampledAt().equals(v.sampledAt())) {
                first = v;
                current = new ArrayList<>();
                out.add(new Reading(v.connectorId(), v.transactionId(), v.sampledAt(), current));
            }
            current.add(v.sampledValue());
        }
        return out;
    }

    private static Measurand measurand(String text) throws Json.ApiException {
        if (text == null || text.isBlank()) {
            return null;
        }
        return Arrays.stream(Measurand.values()).filter(m -> m.value().equals(text.trim())).findFirst()
                .orElseThrow(() -> new Json.ApiException(400, "'measurand' must be an OCPP 1.6 measurand such as"
                        + " Power.Active.Import or Energy.Active.Import.Register, not '" + text + "'"));
    }
}
