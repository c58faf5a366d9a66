package org.chargeedge.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.chargeedge.http.internal.AuthenticationTest.json;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The API over a real central system and a real store, with a charger
 * connected over a real WebSocket: what the site looks like, acting on the
 * charger, the sessions export, metrics and health, and the errors of each.
 */
class SiteApiTest extends RealSiteTestBase {

    @Test
    void theChargersAndTheSiteAreRead() throws Exception {
        HttpResponse<String> list = api.send(api.get("/api/chargers", viewer));
        assertThat(list.statusCode()).isEqualTo(200);
        JsonNode cp = json(list).get(0);
        assertThat(cp.get("chargePointId").asText()).isEqualTo("CP-1");
        assertThat(cp.get("state").asText()).isEqualTo("connected");
        assertThat(cp.get("boot").get("chargePointModel").asText()).isEqualTo("Wallbox 22");
        JsonNode connector = null;
        for (JsonNode k : cp.get("connectors")) {
            if (k.get("connectorId").asInt() == 1) {
                connector = k;
            }
        }
        assertThat(connector.get("status").asText()).isEqualTo("Available"); // the OCPP spelling
        assertThat(json(api.send(api.get("/api/chargers/CP-1", viewer))).get("state").asText())
                .isEqualTo("connected");

        JsonNode summary = json(api.send(api.get("/api/site", viewer)));
        assertThat(summary.get("chargers").get("connected").asInt()).isEqualTo(1);
        assertThat(summary.get("readiness").get("ready").asBoolean()).isTrue();
        assertThat(summary.get("store").get("ok").asBoolean()).isTrue();

        HttpResponse<String> unknown = api.send(api.get("/api/chargers/CP-9", viewer));
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).get("error").asText()).isEqualTo("no charger CP-9 has connected since the gateway"
                + " started");
        assertThat(api.send(api.get("/api/nothing", viewer)).statusCode()).isEqualTo(404);
        // parts of the gateway that do not run say so
        HttpResponse<String> upstream = api.send(api.get("/api/upstream", viewer));
        assertThat(upstream.statusCode()).isEqualTo(503);
        assertThat(json(upstream).get("error").asText()).isEqualTo("the upstream link is not running");
    }

    @Test
    void anOperatorStartsAndStopsASessionAndTheExportBillsIt() throws Exception {
        HttpResponse<String> start = api.send(api.post("/api/chargers/CP-1/calls/RemoteStartTransaction", operator,
                "{\"idTag\":\"TAG-1\",\"connectorId\":1}"));
        assertThat(start.statusCode()).as(start.body()).isEqualTo(200);
        assertThat(json(start).get("status").asText()).isEqualTo("Accepted");
        JsonNode sent = charger.nextReceived();
        assertThat(sent.get(2).asText()).isEqualTo("RemoteStartTransaction");
        assertThat(sent.get(3).get("idTag").asText()).isEqualTo("TAG-1");

        int id = charger.call("StartTransaction", "{\"connectorId\":1,\"idTag\":\"TAG-1\",\"meterStart\":1000,"
                + "\"timestamp\":\"2026-05-01T10:00:00Z\"}").get("transactionId").asInt();
        waitFor(() -> centralSystem.siteView().charger("CP-1").get().openTransactions().size() == 1);
        assertThat(json(api.send(api.get("/api/site", viewer))).get("chargers").get("openTransactions").asInt())
                .isEqualTo(1);

        HttpResponse<String> stop = api.send(api.post("/api/chargers/CP-1/calls/RemoteStopTransaction", operator,
                "{\"transactionId\":" + id + "}"));
        assertThat(json(stop).get("status").asText()).isEqualTo("Accepted");
        assertThat(charger.nextReceived().get(3).get("transactionId").asInt()).isEqualTo(id);
        charger.call("StopTransaction", "{\"transactionId\":" + id + ",\"meterStop\":8500,"
                + "\"timestamp\":\"2026-05-01T11:30:00Z\",\"reason\":\"Remote\",\"idTag\":\"TAG-1\"}");

        HttpResponse<String> csv = api.send(api.get("/api/sessions.csv?from=2026-05-01&to=2026-05-01", viewer));
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
        assertThat(csv.body()).isEqualTo(SessionsCsv.HEADER + id + ",CP-1,1,TAG-1,2026-05-01T10:00:00Z,"
                + "2026-05-01T11:30:00Z,1000,8500,7500,Remote,TAG-1\r\n");
        assertThat(api.send(api.get("/api/sessions.csv?from=2026-05-02", viewer)).body())
                .isEqualTo(SessionsCsv.HEADER);
        assertThat(api.send(api.get("/api/sessions.csv?idTag=OTHER", viewer)).body()).isEqualTo(SessionsCsv.HEADER);
        assertThat(api.send(api.get("/api/sessions.csv?chargePointId=CP-1&idTag=TAG-1", viewer)).body())
                .contains(",7500,");

        JsonNode transactions = json(api.send(api.get("/api/transactions?from=2026-05-01T09:00:00Z", viewer)));
        assertThat(transactions).hasSize(1);
        assertThat(transactions.get(0).get("meterStop").asInt()).isEqualTo(8500);
    }

    @Test
    void theChargersAnswerIsReportedAsItIs() throws Exception {
        charger.answers.put("RemoteStartTransaction", "{\"status\":\"Rejected\"}");
        HttpResponse<String> rejected = api.send(api.post("/api/chargers/CP-1/calls/RemoteStartTransaction",
                operator, "{\"idTag\":\"TAG-1\"}"));
        assertThat(rejected.statusCode()).isEqualTo(200);
        assertThat(json(rejected).get("status").asText()).isEqualTo("Rejected");

        charger.answers.put("Reset", "{\"status\":\"Maybe\"}");
        HttpResponse<String> invalid = api.send(api.post("/api/chargers/CP-1/calls/Reset", operator,
                "{\"type\":\"Hard\"}"));
        assertThat(invalid.statusCode()).isEqualTo(502);
        assertThat(json(invalid).get("reason").asText()).isEqualTo("INVALID_CONFIRMATION");

        HttpResponse<String> config = api.send(api.post("/api/chargers/CP-1/calls/GetConfiguration", operator,
                "{\"key\":[\"HeartbeatInterval\"]}"));
        assertThat(config.statusCode()).isEqualTo(200); // the charger's answer: no keys, nothing unknown is fine
    }

    @Test
    void badCallsGetClearErrorsAndNothingIsSent() throws Exception {
        HttpResponse<String> missing = api.send(api.post("/api/chargers/CP-1/calls/RemoteStartTransaction",
                operator, "{\"connectorId\":1}"));
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(json(missing).get("error").asText()).startsWith("invalid RemoteStartTransaction payload")
                .contains("idTag");
        HttpResponse<String> wrongType = api.send(api.post("/api/chargers/CP-1/calls/Reset", operator,
                "{\"type\":\"Gentle\"}"));
        assertThat(wrongType.statusCode()).isEqualTo(400);
        HttpResponse<String> unknownAction = api.send(api.post("/api/chargers/CP-1/calls/Explode", operator, "{}"));
        assertThat(unknownAction.statusCode()).isEqualTo(404);
        assertThat(json(unknownAction).get("error").asText()).isEqualTo("no OCPP 1.6 action Explode");
        HttpResponse<String> chargersOwn = api.send(api.post("/api/chargers/CP-1/calls/BootNotification", operator,
                "{}"));
        assertThat(chargersOwn.statusCode()).isEqualTo(400);
        assertThat(json(chargersOwn).get("error").asText()).isEqualTo("BootNotification is sent by chargers, not to"
                + " them");
        HttpResponse<String> notJson = api.send(api.post("/api/chargers/CP-1/calls/Reset", operator, "[1,2"));
        assertThat(notJson.statusCode()).isEqualTo(400);
        HttpResponse<String> array = api.send(api.post("/api/chargers/CP-1/calls/Reset", operator, "[1]"));
        assertThat(json(array).get("error").asText()).isEqualTo("the request body must be a JSON object");
        HttpResponse<String> badDate = api.send(api.get("/api/sessions.csv?from=yesterday", viewer));
        assertThat(badDate.statusCode()).isEqualTo(400);
        assertThat(json(badDate).get("error").asText()).startsWith("'from' must be a date");
        assertThat(api.send(api.get("/api/transactions?from=2026-05-02&to=2026-05-01", viewer)).statusCode())
                .isEqualTo(400);
        assertThat(charger.received).isEmpty();
    }

    @Test
    void aChargerThatIsGoneIsAConflictNotAnError() throws Exception {
        charger.close();
        waitFor(() -> !centralSystem.siteView().charger("CP-1").get().connected());
        HttpResponse<String> r = api.send(api.post("/api/chargers/CP-1/calls/ClearCache", operator, "{}"));
        assertThat(r.statusCode()).isEqualTo(409);
        assertThat(json(r).get("reason").asText()).isEqualTo("NOT_CONNECTED");
        assertThat(json(api.send(api.get("/api/chargers/CP-1", viewer))).get("state").asText())
                .isEqualTo("disconnected");
    }

    @Test
    void metricsCountTheSiteAndTheJvm() throws Exception {
        HttpResponse<String> r = api.send(api.get("/metrics", viewer));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        assertThat(r.body()).contains("chargeedge_chargers_connected 1.0", "chargeedge_chargers_known 1.0",
                "chargeedge_connectors{status=\"Available\"} 1.0", "chargeedge_site_ready 1.0",
                "chargeedge_store_ok 1.0", "jvm_memory_used_bytes{area=\"heap\"}")
                .doesNotContain("CP-1"); // no charge point id as a label
        charger.call("StatusNotification", "{\"connectorId\":1,\"errorCode\":\"NoError\",\"status\":\"Charging\"}");
        assertThat(api.send(api.get("/metrics", viewer)).body())
                .contains("chargeedge_connectors{status=\"Charging\"} 1.0")
                .doesNotContain("chargeedge_connectors{status=\"Available\"}");
    }

    @Test
    void healthIsOkWithTheStoreAndUnhealthyWithoutIt() throws Exception {
        HttpResponse<String> ok = api.send(api.get("/health", null));
        assertThat(ok.statusCode()).isEqualTo(200);
        JsonNode body = json(ok);
        assertThat(body.get("status").asText()).isEqualTo("OK");
        assertThat(body.get("checks").findValuesAsText("name")).containsExactly("Site ready", "Store",
                "Upstream link");
        site.store = null; // as DS unbinds it while the store bundle is updated
        HttpResponse<String> down = api.send(api.get("/health", null));
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(json(down).get("status").asText()).isEqualTo("CRITICAL");
        assertThat(down.body()).contains("the store is not running");
        HttpResponse<String> csv = api.send(api.get("/api/sessions.csv", viewer));
        assertThat(csv.statusCode()).isEqualTo(503);
    }

    @Test
    void theLocalListIsEditedAndPushedAsFromTheShell() throws Exception {
        HttpResponse<String> never = api.send(api.post("/api/authorization/push", operator,
                "{\"chargePointId\":\"CP-1\"}"));
        assertThat(never.statusCode()).isEqualTo(409);
        assertThat(json(never).get("error").asText()).contains("never set");

        HttpResponse<String> set = api.send(api.post("/api/authorization/list", operator, "{\"entries\":["
                + "{\"idTag\":\"TAG-1\",\"idTagInfo\":{\"status\":\"Accepted\"}},"
                + "{\"idTag\":\"TAG-2\",\"idTagInfo\":{\"status\":\"Blocked\"}}]}"));
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        assertThat(json(set).get("version").asInt()).isEqualTo(1);
        HttpResponse<String> removed = api.send(api.post("/api/authorization/list", operator,
                "{\"entries\":[{\"idTag\":\"TAG-2\"}]}"));
        assertThat(json(removed).get("version").asInt()).isEqualTo(2);
        JsonNode list = json(api.send(api.get("/api/authorization/list", viewer)));
        assertThat(list.get("version").asInt()).isEqualTo(2);
        assertThat(list.get("entries").findValuesAsText("idTag")).containsExactly("TAG-1");
        assertThat(list.get("entries").get(0).get("idTagInfo").get("status").asText()).isEqualTo("Accepted");

        HttpResponse<String> invalid = api.send(api.post("/api/authorization/list", operator,
                "{\"entries\":[{\"idTag\":\"A-TAG-LONGER-THAN-TWENTY\",\"idTagInfo\":{\"status\":\"Accepted\"}}]}"));
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(json(invalid).get("error").asText()).startsWith("invalid entries");
        assertThat(api.send(api.post("/api/authorization/list", operator, "{\"entries\":[]}")).statusCode())
                .isEqualTo(400);
        assertThat(api.send(api.post("/api/authorization/list", viewer,
                "{\"entries\":[{\"idTag\":\"X\"}]}")).statusCode()).isEqualTo(403);
        assertThat(json(api.send(api.get("/api/authorization/list", viewer))).get("version").asInt()).isEqualTo(2);

        HttpResponse<String> pushed = api.send(api.post("/api/authorization/push", operator,
                "{\"chargePointId\":\"CP-1\"}"));
        assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(200);
        assertThat(json(pushed).get("status").asText()).isEqualTo("Accepted");
        JsonNode sent = charger.nextReceived();
        assertThat(sent.get(2).asText()).isEqualTo("SendLocalList");
        assertThat(sent.get(3).get("updateType").asText()).isEqualTo("Full");
        assertThat(sent.get(3).get("listVersion").asInt()).isEqualTo(2);
        assertThat(sent.get(3).get("localAuthorizationList").findValuesAsText("idTag")).containsExactly("TAG-1");
    }

    @Test
    void liveEventsFollowTheChargerWithoutPolling() throws Exception {
        assertThat(api.send(api.get("/api/events", null)).statusCode()).isEqualTo(401);
        java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        java.util.concurrent.CompletableFuture<HttpResponse<java.util.stream.Stream<String>>> stream = api.client
                .sendAsync(api.get("/api/events", viewer).build(), HttpResponse.BodyHandlers.ofLines());
        HttpResponse<java.util.stream.Stream<String>> response = stream.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        Thread reader = new Thread(() -> response.body().forEach(lines::add));
        reader.setDaemon(true);
        reader.start();
        assertThat(lines.poll(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(": connected");
        waitFor(() -> api.events.subscribers() == 1);

        charger.call("StatusNotification", "{\"connectorId\":1,\"errorCode\":\"NoError\",\"status\":\"Charging\"}");
        String name = null;
        String data = null;
        long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (data == null && System.nanoTime() < end) {
            String line = lines.poll(1, java.util.concurrent.TimeUnit.SECONDS);
            if (line != null && line.startsWith("event: ")) {
                name = line.substring(7);
            } else if (line != null && line.startsWith("data: ") && "STATUS_CHANGED".equals(name)) {
                data = line.substring(6);
            }
        }
        assertThat(data).as("a STATUS_CHANGED event").isNotNull();
        JsonNode event = Json.MAPPER.readTree(data);
        assertThat(event.get("chargePointId").asText()).isEqualTo("CP-1");
        assertThat(event.get("connectorId").asInt()).isEqualTo(1);
        JsonNode connector = null;
        for (JsonNode k : event.get("charger").get("connectors")) {
            if (k.get("connectorId").asInt() == 1) {
                connector = k;
            }
        }
        assertThat(connector.get("status").asText()).isEqualTo("Charging");
        response.body().close();
    }

    static void waitFor(BooleanSupplier condition) throws InterruptedException {
        Instant end = Instant.now().plus(Duration.ofSeconds(10));
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(end)) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(20);
        }
    }
}
