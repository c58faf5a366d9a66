package org.chargeedge.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.chargeedge.http.internal.AuthenticationTest.json;

import java.net.http.HttpResponse;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code GET /api/chargers/ID/meter-values}: what a charger sent over its WebSocket, read back from the
 * real store over a time range, and the clear 4xx of every bad range, filter and limit.
 */
class MeterHistoryApiTest extends RealSiteTestBase {

    /** A reading of connector {@code connector} at 10:MM with power on two phases and the register. */
    private void send(int connector, int minute) throws Exception {
        charger.call("MeterValues", "{\"connectorId\":" + connector + ",\"meterValue\":[{\"timestamp\":"
                + "\"2026-05-01T10:" + String.format("%02d", minute) + ":00Z\",\"sampledValue\":["
                + "{\"value\":\"" + (1000 + minute) + "\",\"measurand\":\"Power.Active.Import\",\"phase\":\"L1\",\"unit\":\"W\"},"
                + "{\"value\":\"" + (2000 + minute) + "\",\"measurand\":\"Power.Active.Import\",\"phase\":\"L2\",\"unit\":\"W\"},"
                + "{\"value\":\"" + (50000 + minute) + "\"}]}]}");
    }

    private JsonNode history(String query) throws Exception {
        HttpResponse<String> r = api.send(api.get("/api/chargers/CP-1/meter-values" + query, viewer));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r);
    }

    @Test
    void theChargersReadingsComeBackNewestFirstFilteredAndBounded() throws Exception {
        for (int minute = 0; minute < 3; minute++) {
            send(1, minute);
            send(2, minute);
        }
        JsonNode all = history("?from=2026-05-01T10:00:00Z&to=2026-05-01T11:00:00Z&connector=1");
        assertThat(all.get("truncated").asBoolean()).isFalse();
        JsonNode readings = all.get("meterValues");
        assertThat(readings.findValuesAsText("timestamp")).containsExactly("2026-05-01T10:02:00Z",
                "2026-05-01T10:01:00Z", "2026-05-01T10:00:00Z");
        JsonNode newest = readings.get(0);
        assertThat(newest.get("connectorId").asInt()).isEqualTo(1);
        assertThat(newest.get("sampledValue").findValuesAsText("value")).containsExactly("1002", "2002", "50002");
        assertThat(newest.get("sampledValue").get(0).get("measurand").asText()).isEqualTo("Power.Active.Import");
        assertThat(newest.get("sampledValue").get(0).get("phase").asText()).isEqualTo("L1");

        // a whole day (UTC) by dates, both connectors
        assertThat(history("?from=2026-05-01&to=2026-05-01").get("meterValues")).hasSize(6);
        // one measurand; the register includes the values naming none
        JsonNode power = history("?from=2026-05-01&to=2026-05-01&connector=2&measurand=Power.Active.Import");
        assertThat(power.get("meterValues").get(0).get("sampledValue").findValuesAsText("value"))
                .containsExactly("1002", "2002");
        assertThat(history("?from=2026-05-01&to=2026-05-01&connector=2&measurand=Energy.Active.Import.Register")
                .get("meterValues").findValuesAsText("value")).containsExactly("50002", "50001", "50000");
        // more values than the limit: the newest whole readings, and it says so
        JsonNode cut = history("?from=2026-05-01&to=2026-05-01&connector=1&limit=5");
        assertThat(cut.get("truncated").asBoolean()).isTrue();
        assertThat(cut.get("meterValues").findValuesAsText("timestamp")).containsExactly("2026-05-01T10:02:00Z");
        // the default range is the last 24 hours: these readings are older
        JsonNode recent = history("");
        assertThat(recent.get("meterValues")).isEmpty();
        assertThat(recent.get("to").asText()).isNotEmpty();
        assertThat(history("?from=2026-05-01&to=2026-05-01").get("chargePointId").asText()).isEqualTo("CP-1");
        assertThat(api.send(api.get("/api/chargers/CP-7/meter-values?from=2026-05-01&to=2026-05-01", viewer))
                .body()).contains("\"meterValues\":[]");
    }

    @Test
    void badRangesFiltersAndLimitsAreRefusedWithTheReason() throws Exception {
        assertRefused("/api/chargers/CP-1/meter-values", List.of(
                List.of("?from=2026-05-02T00:00:00Z&to=2026-05-01T00:00:00Z", "'from' must be before 'to'"),
                List.of("?from=2026-05-01T10:00:00Z&to=2026-05-01T10:00:00Z", "'from' must be before 'to'"),
                List.of("?from=2026-01-01&to=2026-03-01", "31 days at most"),
                List.of("?from=yesterday", "'from' must be a date"),
                List.of("?connector=-1", "'connector' must be a whole number from 0 up"),
                List.of("?connector=one", "'connector' must be a whole number"),
                List.of("?limit=0", "'limit' must be a whole number from 1 to 10000"),
                List.of("?limit=10001", "'limit' must be a whole number from 1 to 10000"),
                List.of("?measurand=Watts", "'measurand' must be an OCPP 1.6 measurand")));
        assertThat(api.send(api.get("/api/chargers/CP-1/meter-values", null)).statusCode()).isEqualTo(401);
        site.store = null;
        HttpResponse<String> noStore = api.send(api.get("/api/chargers/CP-1/meter-values", viewer));
        assertThat(noStore.statusCode()).isEqualTo(503);
        assertThat(json(noStore).get("error").asText()).isEqualTo("the store is not running");
    }
}
