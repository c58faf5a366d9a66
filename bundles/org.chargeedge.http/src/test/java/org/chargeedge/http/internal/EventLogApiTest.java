package org.chargeedge.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.chargeedge.http.internal.AuthenticationTest.json;
import static org.chargeedge.http.internal.SiteApiTest.waitFor;

import java.net.http.HttpResponse;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code GET /api/events/log}: what a real charger did over its WebSocket, told by the central system's
 * events, in an installer's words; its filters and the 4xx of bad ones.
 */
class EventLogApiTest extends RealSiteTestBase {

    private JsonNode log(String query) throws Exception {
        HttpResponse<String> r = api.send(api.get("/api/events/log" + query, viewer));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r).get("events");
    }

    private List<String> texts(String query) throws Exception {
        return log(query).findValuesAsText("text");
    }

    @Test
    void theChargersDayIsToldNewestFirst() throws Exception {
        waitFor(() -> api.eventLog.log().size() >= 3);
        assertThat(texts("?charger=CP-1")).containsSubsequence("Connector 1 is Available",
                "Booted: Acme Wallbox 22");
        assertThat(texts("?charger=CP-1").get(texts("?charger=CP-1").size() - 1)).startsWith("Connected from ");

        charger.call("StatusNotification", "{\"connectorId\":1,\"errorCode\":\"GroundFailure\","
                + "\"status\":\"Faulted\",\"info\":\"RCD tripped\"}");
        waitFor(() -> api.eventLog.log().entries(null, null, 1).get(0).kind().equals("STATUS_CHANGED")
                && api.eventLog.log().entries(null, null, 1).get(0).text().contains("fault"));
        JsonNode fault = log("?limit=1").get(0);
        assertThat(fault.get("chargePointId").asText()).isEqualTo("CP-1");
        assertThat(fault.get("severity").asText()).isEqualTo("problem");
        assertThat(fault.get("text").asText()).isEqualTo("Connector 1 reports a fault: GroundFailure (RCD tripped);"
                + " status Faulted");
        assertThat(fault.get("at").asText()).isNotEmpty();

        charger.call("StatusNotification", "{\"connectorId\":1,\"errorCode\":\"NoError\",\"status\":\"Preparing\"}");
        int id = charger.call("StartTransaction", "{\"connectorId\":1,\"idTag\":\"TAG-1\",\"meterStart\":0,"
                + "\"timestamp\":\"2026-05-01T10:00:00Z\"}").get("transactionId").asInt();
        charger.call("MeterValues", "{\"connectorId\":1,\"transactionId\":" + id + ",\"meterValue\":[{\"timestamp\":"
                + "\"2026-05-01T10:01:00Z\",\"sampledValue\":[{\"value\":\"100\"}]}]}");
        charger.call("StopTransaction", "{\"transactionId\":" + id + ",\"meterStop\":100,"
                + "\"timestamp\":\"2026-05-01T10:02:00Z\"}");
        waitFor(() -> api.eventLog.log().entries(null, null, 1).get(0).kind().equals("TRANSACTION_STOPPED"));
        List<String> recent = texts("?limit=3");
        assertThat(recent).containsExactly("Session " + id + " ended on connector 1",
                "Session " + id + " started on connector 1 by idTag TAG-1", "Connector 1 is Preparing");
        assertThat(log("")).extracting(e -> e.get("kind").asText()).doesNotContain("METER_VALUES");

        assertThat(log("?charger=CP-9")).isEmpty();
        assertThat(log("?since=2999-01-01T00:00:00Z")).isEmpty();
        assertThat(log("?since=2000-01-01")).hasSize(log("").size());
    }

    @Test
    void badQueriesAreRefusedAndTheLogNeedsALogin() throws Exception {
        assertRefused("/api/events/log", List.of(List.of("?since=an-hour-ago", "'since' must be a date"),
                List.of("?limit=0", "'limit' must be a whole number from 1 to 2000"),
                List.of("?limit=2001", "'limit' must be a whole number from 1 to 2000"),
                List.of("?limit=ten", "'limit' must be a whole number")));
        assertThat(api.send(api.get("/api/events/log", null)).statusCode()).isEqualTo(401);
    }
}
