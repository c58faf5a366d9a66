package org.chargeedge.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.chargeedge.http.internal.AuthenticationTest.json;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import org.chargeedge.balancer.internal.TestBalancer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** The load balancer in the API, with the real balancer over the real site: figures, reasons, modes. */
class BalancerApiTest extends RealSiteTestBase {

    TestBalancer balancer;

    private void balancer(Map<String, Object> config) throws Exception {
        charger.answers.put("GetConfiguration", "{\"configurationKey\":[]}");
        balancer = new TestBalancer(centralSystem.siteView(), centralSystem.commands(), config);
        site.balancerStatus = balancer.service;
        site.balancerModes = balancer.service;
        SiteApiTest.waitFor(() -> balancer.service.connector("CP-1", 1).isPresent());
    }

    @AfterEach
    void stopBalancer() throws Exception {
        if (balancer != null) {
            balancer.close();
        }
    }

    @Test
    void theSiteAndEachChargerShowTheBalancersFiguresReasonsAndModes() throws Exception {
        balancer(Map.of("safeBudgetA", 20.0));
        JsonNode b = json(api.send(api.get("/api/site", viewer))).get("balancer");
        assertThat(b.get("enabled").asBoolean()).isTrue();
        assertThat(b.get("gridLimitDefault").asBoolean()).as("no grid limit set").isTrue();
        assertThat(b.get("gridLimitA").asDouble()).isEqualTo(25.0);
        assertThat(b.get("safeBudgetInUse").asBoolean()).as("no energy model: no grid reading").isTrue();
        assertThat(b.get("budget").asText()).startsWith("safe budget");
        assertThat(b.get("availableA").get("L2").asDouble()).isEqualTo(5.0);

        JsonNode row = json(api.send(api.get("/api/chargers/CP-1", viewer))).get("balancer").get(0);
        assertThat(row.get("connectorId").asInt()).isEqualTo(1);
        assertThat(row.get("reasonKind").asText()).isEqualTo("IDLE");
        assertThat(row.get("mode").asText()).isEqualTo("Fast");
        assertThat(row.get("modeOrigin").asText()).isEqualTo("CONFIGURATION");
        assertThat(row.get("control").asText()).isEqualTo("IDLE");
        assertThat(json(api.send(api.get("/api/chargers", viewer))).get(0).get("balancer").get(0).get("mode")
                .asText()).isEqualTo("Fast");

        HttpResponse<String> set = api.send(put("/api/chargers/CP-1/connectors/1/mode", operator, "{\"mode\":\"min+pv\"}"));
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        assertThat(json(set).get("mode").asText()).isEqualTo("MinPV");
        assertThat(json(set).get("message").asText()).isEqualTo("CP-1/1: MinPV for the next session");
        SiteApiTest.waitFor(() -> modeOf("CP-1").equals("MinPV/SESSION"));

        String leaves = java.time.Instant.now().plusSeconds(36_000).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                .toString();
        HttpResponse<String> scheduled = api.send(put("/api/chargers/CP-1/connectors/1/mode", operator,
                "{\"mode\":\"Scheduled\",\"departure\":\"" + leaves + "\",\"energyKWh\":12.5}"));
        assertThat(scheduled.statusCode()).as(scheduled.body()).isEqualTo(200);
        assertThat(json(scheduled).get("message").asText()).isEqualTo("CP-1/1: Scheduled, 12.5 kWh by " + leaves
                + " for the next session");

        HttpResponse<String> byDefault = api.send(api.post("/api/chargers/CP-1/mode", operator, "{\"mode\":\"Off\"}"));
        assertThat(byDefault.statusCode()).as(byDefault.body()).isEqualTo(200);
        assertThat(balancer.service.connector("CP-1", 1).orElseThrow().modeOrigin().name()).isEqualTo("SESSION");
        assertThat(api.send(delete("/api/chargers/CP-1/mode", viewer)).statusCode()).isEqualTo(403);
        HttpResponse<String> cleared = api.send(delete("/api/chargers/CP-1/mode", operator));
        assertThat(cleared.statusCode()).as(cleared.body()).isEqualTo(200);
        assertThat(json(cleared).get("message").asText()).isEqualTo("CP-1: Fast by default again, as configured");
        assertError(delete("/api/chargers/CP-9/mode", operator), 404, "unknown charger CP-9");
        assertThat(api.send(delete("/api/chargers/CP-1/connectors/1/mode", operator)).statusCode()).isEqualTo(404);
    }

    /** A charger not back since the gateway started, known from the store: its counted load shows on the site. */
    @Test
    void aChargerNotBackSinceTheStartIsShownWithWhatItIsCountedAt() throws Exception {
        org.chargeedge.store.internal.SqliteStore store = org.chargeedge.store.internal.TestStores.open(
                dir.resolve("balancer.db"));
        try {
            Instant at = Instant.now();
            store.saveSentProfile(new org.chargeedge.api.store.BalancerMemory.SentProfile("CP-9", 1, 99, 16,
                    at.plusSeconds(300), at, 0, null, at)).toCompletableFuture().get();
            balancer(Map.of("safeBudgetA", 10.0));
            assertThat(notReconnected()).as("nothing kept yet").isEmpty();
            balancer.remember(store);
            SiteApiTest.waitFor(() -> notReconnected().size() == 1);
            JsonNode row = notReconnected().get(0);
            assertThat(row.get("chargePointId").asText()).isEqualTo("CP-9");
            assertThat(row.get("connectorId").asInt()).isEqualTo(1);
            assertThat(row.get("control").asText()).isEqualTo("OFFLINE");
            assertThat(row.get("reason").asText())
                    .isEqualTo("charger offline: counted at its last limit 16.0 A until its fallback applies");
        } finally {
            org.chargeedge.store.internal.TestStores.close(store);
        }
    }

    @Test
    void aScheduledSessionShowsItsDepartureTheEnergyStillNeededAndItsTargetAsSet() throws Exception {
        balancer(Map.of());
        int tx = charger.call("StartTransaction", "{\"connectorId\":1,\"idTag\":\"TAG-1\",\"meterStart\":1000,"
                + "\"timestamp\":\"" + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "\"}").get("transactionId")
                .asInt();
        charger.call("StatusNotification", "{\"connectorId\":1,\"errorCode\":\"NoError\",\"status\":\"Charging\"}");
        String leaves = Instant.now().plusSeconds(36_000).truncatedTo(ChronoUnit.SECONDS).toString();
        HttpResponse<String> scheduled = api.send(put("/api/chargers/CP-1/connectors/1/mode", operator,
                "{\"mode\":\"Scheduled\",\"departure\":\"" + leaves + "\",\"energyKWh\":12.5}"));
        assertThat(json(scheduled).get("message").asText()).endsWith(" for transaction " + tx);
        // 2.5 kWh counted by the register since the session's start (1 kWh): 10 kWh still needed of the 12.5 set
        charger.call("MeterValues", "{\"connectorId\":1,\"transactionId\":" + tx + ",\"meterValue\":[{"
                + "\"timestamp\":\"" + Instant.now() + "\",\"sampledValue\":[{\"value\":\"3500\"}]}]}");
        SiteApiTest.waitFor(() -> balancer.service.connector("CP-1", 1).map(c -> c.energyNeededWh())
                .filter(wh -> wh == 10_000).isPresent());
        JsonNode row = json(api.send(api.get("/api/chargers/CP-1", viewer))).get("balancer").get(0);
        assertThat(row.get("mode").asText()).isEqualTo("Scheduled");
        assertThat(row.get("departure").asText()).isEqualTo(leaves);
        assertThat(row.get("energyNeededKWh").asDouble()).isEqualTo(10.0);
        assertThat(row.get("energyTargetKWh").asDouble()).isEqualTo(12.5);

        // another mode: none of the three
        assertThat(api.send(put("/api/chargers/CP-1/connectors/1/mode", operator, "{\"mode\":\"Fast\"}"))
                .statusCode()).isEqualTo(200);
        SiteApiTest.waitFor(() -> modeOf("CP-1").equals("Fast/SESSION"));
        row = json(api.send(api.get("/api/chargers/CP-1", viewer))).get("balancer").get(0);
        assertThat(row.has("departure")).isFalse();
        assertThat(row.has("energyNeededKWh")).isFalse();
        assertThat(row.has("energyTargetKWh")).isFalse();
    }

    @Test
    void viewersBadModesUnknownTargetsAndRefusalsAreAnsweredAsSuch() throws Exception {
        balancer(Map.of());
        HttpResponse<String> viewerPut = api.send(put("/api/chargers/CP-1/connectors/1/mode", viewer,
                "{\"mode\":\"PV\"}"));
        assertThat(viewerPut.statusCode()).isEqualTo(403);
        assertError(put("/api/chargers/CP-1/connectors/1/mode", operator, "{\"mode\":\"turbo\"}"), 400,
                "unknown mode 'turbo' (Fast, PV, MinPV, Scheduled or Off)");
        assertError(put("/api/chargers/CP-1/connectors/1/mode", operator, "{}"), 400, "'mode' is missing");
        assertError(put("/api/chargers/CP-1/connectors/one/mode", operator, "{\"mode\":\"PV\"}"), 400,
                "the connector must be a number, not 'one'");
        assertError(put("/api/chargers/CP-9/connectors/1/mode", operator, "{\"mode\":\"PV\"}"), 404,
                "unknown charger CP-9");
        assertError(put("/api/chargers/CP-1/connectors/3/mode", operator, "{\"mode\":\"PV\"}"), 404,
                "CP-1 has no connector 3 (it has [1])");
        JsonNode refused = assertError(put("/api/chargers/CP-1/mode", operator, "{\"mode\":\"Scheduled\"}"), 409,
                null);
        assertThat(refused.get("error").asText()).contains("departure time");
        assertThat(modeOf("CP-1")).as("nothing refused was taken").isEqualTo("Fast/CONFIGURATION");
        assertError(put("/api/chargers/CP-1/connectors/1/mode", operator, "{\"mode\":\"Scheduled\","
                + "\"departure\":\"tomorrow\",\"energyKWh\":10}"), 400,
                "'departure' must be a UTC time like 2026-05-01T07:30:00Z");
        assertError(put("/api/chargers/CP-1/connectors/1/mode", operator, "{\"mode\":\"Scheduled\","
                + "\"energyKWh\":10}"), 400, "'departure' and 'energyKWh' go together");
        assertError(put("/api/chargers/CP-1/connectors/1/mode", operator, "{\"mode\":\"Scheduled\","
                + "\"departure\":\"2020-01-01T00:00:00Z\",\"energyKWh\":10}"), 409,
                "the departure time 2020-01-01T00:00:00Z is not in the future");
        assertThat(api.send(put("/api/chargers/CP-1/calls/Reset", operator, "{}")).statusCode()).isEqualTo(404);

        // without a balancer: the fields are absent and setting a mode says what is missing
        site.balancerStatus = null;
        site.balancerModes = null;
        assertThat(json(api.send(api.get("/api/site", viewer))).has("balancer")).isFalse();
        assertThat(json(api.send(api.get("/api/chargers/CP-1", viewer))).has("balancer")).isFalse();
        assertError(put("/api/chargers/CP-1/connectors/1/mode", operator, "{\"mode\":\"PV\"}"), 503,
                "load balancing is not running");
    }

    private JsonNode notReconnected() {
        try {
            return json(api.send(api.get("/api/site", viewer))).get("balancer").get("notReconnected");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String modeOf(String charger) {
        var c = balancer.service.connector(charger, 1).orElseThrow();
        return c.mode().label() + "/" + c.modeOrigin();
    }

    private JsonNode assertError(HttpRequest.Builder request, int status, String message) throws Exception {
        HttpResponse<String> r = api.send(request);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode body = json(r);
        if (message != null) {
            assertThat(body.get("error").asText()).isEqualTo(message);
        }
        return body;
    }

    private HttpRequest.Builder delete(String path, String token) {
        return api.get(path, token).DELETE();
    }

    private HttpRequest.Builder put(String path, String token, String json) {
        return api.post(path, token, json).method("PUT", HttpRequest.BodyPublishers.ofString(json));
    }
}
