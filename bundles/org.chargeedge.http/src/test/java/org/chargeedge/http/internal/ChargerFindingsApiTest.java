package org.chargeedge.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A real charger (OCPP over WebSocket) refuses configuration and local lists
 * sent through the API; {@code /api/chargers/{id}} then shows it, as data and
 * in an installer's words, and shows it no more once the charger accepts.
 */
class ChargerFindingsApiTest extends RealSiteTestBase {

    private JsonNode charger() throws Exception {
        HttpResponse<String> r = api.send(api.get("/api/chargers/CP-1", viewer));
        assertThat(r.statusCode()).isEqualTo(200);
        return Json.MAPPER.readTree(r.body());
    }

    private JsonNode call(String action, String payload) throws Exception {
        HttpResponse<String> r = api.send(api.post("/api/chargers/CP-1/calls/" + action, operator, payload));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.MAPPER.readTree(r.body());
    }

    @Test
    void refusedKeysAndAFailedLocalListAreShownInWordsUntilTheChargerAccepts() throws Exception {
        // nothing to report: neither is in the charger's JSON, which stays as small as before
        assertThat(charger().has("installerFindings")).isFalse();
        assertThat(charger().has("diagnostics")).isFalse();

        charger.answers.put("ChangeConfiguration", "{\"status\":\"Rejected\"}");
        assertThat(call("ChangeConfiguration", "{\"key\":\"MeterValueSampleInterval\",\"value\":\"1\"}")
                .get("status").asText()).isEqualTo("Rejected");
        charger.answers.put("GetConfiguration", "{\"configurationKey\":[],\"unknownKey\":[\"VendorBoost\"]}");
        call("GetConfiguration", "{\"key\":[\"VendorBoost\"]}");
        charger.answers.put("SendLocalList", "{\"status\":\"Failed\"}");
        call("SendLocalList", "{\"listVersion\":4,\"updateType\":\"Full\",\"localAuthorizationList\":[]}");

        JsonNode c = charger();
        JsonNode keys = c.get("diagnostics").get("configuration");
        assertThat(keys).hasSize(2);
        assertThat(keys.get(0).get("key").asText()).isEqualTo("VendorBoost");
        assertThat(keys.get(0).get("outcome").asText()).isEqualTo("UNKNOWN_KEY");
        assertThat(keys.get(1).get("outcome").asText()).isEqualTo("REJECTED");
        assertThat(keys.get(1).get("value").asText()).isEqualTo("1");
        assertThat(c.get("diagnostics").get("localList").get("outcome").asText()).isEqualTo("FAILED");
        JsonNode words = c.get("installerFindings");
        assertThat(words).hasSize(3);
        assertThat(words.get(0).get("kind").asText()).isEqualTo("localList");
        assertThat(words.get(0).get("title").asText()).isEqualTo("Local list not stored (version 4)");
        assertThat(words.get(0).get("hint").asText()).contains("Push the full list again");
        assertThat(words.get(1).get("title").asText()).isEqualTo("Key unknown to the charger: VendorBoost");
        assertThat(words.get(2).get("title").asText()).isEqualTo("Value refused: MeterValueSampleInterval = 1");
        assertThat(words.get(2).get("hint").asText()).contains("read-only");
        // the list of all chargers carries the same
        JsonNode all = Json.MAPPER.readTree(api.send(api.get("/api/chargers", viewer)).body());
        assertThat(all.get(0).get("installerFindings")).hasSize(3);

        charger.answers.put("ChangeConfiguration", "{\"status\":\"Accepted\"}");
        call("ChangeConfiguration", "{\"key\":\"MeterValueSampleInterval\",\"value\":\"10\"}");
        charger.answers.put("SendLocalList", "{\"status\":\"Accepted\"}");
        call("SendLocalList", "{\"listVersion\":5,\"updateType\":\"Full\",\"localAuthorizationList\":[]}");
        charger.answers.put("GetLocalListVersion", "{\"listVersion\":0}");
        call("GetLocalListVersion", "{}");
        JsonNode after = charger();
        assertThat(after.get("installerFindings")).hasSize(2);
        assertThat(after.get("installerFindings").get(0).get("title").asText())
                .isEqualTo("Local list not the one pushed (reports version 0, accepted 5)");
        assertThat(after.get("installerFindings").get(1).get("title").asText()).contains("VendorBoost");
    }

    @Test
    void aChargerThatFailsTheCallLeavesNothingAndStrangersSeeNothing() throws Exception {
        charger.answers.put("ChangeConfiguration", "{\"status\":\"Sometimes\"}");
        HttpResponse<String> invalid = api.send(api.post("/api/chargers/CP-1/calls/ChangeConfiguration", operator,
                "{\"key\":\"HeartbeatInterval\",\"value\":\"60\"}"));
        assertThat(invalid.statusCode()).isEqualTo(502);
        assertThat(charger().has("installerFindings")).isFalse();
        assertThat(api.send(api.get("/api/chargers/CP-1", null)).statusCode()).isEqualTo(401);
        assertThat(api.send(api.post("/api/chargers/CP-1/calls/ChangeConfiguration", viewer,
                "{\"key\":\"HeartbeatInterval\",\"value\":\"60\"}")).statusCode()).isEqualTo(403);
    }
}
