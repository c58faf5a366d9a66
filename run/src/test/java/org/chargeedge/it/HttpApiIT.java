package org.chargeedge.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The HTTP API of the gateway as shipped, in its own process: Jetty on
 * loopback at CHARGEEDGE_HTTP_PORT, the first user from the environment, a
 * token made in the shell, a charger that connects and is started from the
 * API, metrics and health.
 */
class HttpApiIT {

    private static final String CP = "HTTP-IT-1";
    private static final String ADMIN_PASSWORD = "it-admin-password-1";

    private final Path work = GatewayRuntime.itDir().resolve("HttpApiIT");
    private final int ocppPort = GatewayRuntime.freePort();
    private final int httpPort = GatewayRuntime.freePort();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Process gateway;
    private Path log;

    @BeforeEach
    void start() throws Exception {
        GatewayRuntime.deleteTree(work);
        Files.createDirectories(work.resolve("config"));
        GatewayRuntime.copyShippedConfig(work.resolve("config"));
        log = work.resolve("gateway.log");
        gateway = GatewayRuntime.startProcess(work, work.resolve("data"), log, Map.of(
                "CHARGEEDGE_OCPP_PORT", String.valueOf(ocppPort), "CHARGEEDGE_HTTP_PORT", String.valueOf(httpPort),
                "CHARGEEDGE_HTTP_ADMIN_PASSWORD", ADMIN_PASSWORD), true);
        GatewayRuntime.waitFor("the HTTP API", 30, () -> {
            try {
                return send(get("/health")).statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @AfterEach
    void stop() throws InterruptedException {
        GatewayRuntime.stopProcess(gateway);
    }

    @Test
    void anOperatorLogsInSeesTheChargerAndStartsASession() throws Exception {
        assertThat(log()).contains("Created the first HTTP API user admin (operator)",
                "Started Jetty", "{127.0.0.1:" + httpPort + "}");
        assertThat(send(get("/api/chargers")).statusCode()).isEqualTo(401);
        // the server's root sends a browser to the dashboard, without a login
        HttpResponse<String> root = send(get("/"));
        assertThat(root.statusCode()).isEqualTo(302);
        assertThat(root.headers().firstValue("Location").orElse("")).endsWith("/ui/");
        JsonNode health = json(send(get("/health")));
        assertThat(health.get("status").asText()).isEqualTo("OK");
        assertThat(health.get("checks").findValuesAsText("name")).contains("Site ready", "Store", "Upstream link");

        HttpResponse<String> login = send(post("/api/login", "{\"user\":\"admin\",\"password\":\"" + ADMIN_PASSWORD
                + "\"}"));
        assertThat(login.statusCode()).isEqualTo(200);
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        String csrf = json(login).get("csrfToken").asText();

        try (OcppTestClient cp = OcppTestClient.connect(ocppPort, CP)) {
            cp.boot("Acme", "Wallbox", "1.0");
            JsonNode charger = json(send(get("/api/chargers/" + CP).header("Cookie", cookie)));
            assertThat(charger.get("state").asText()).isEqualTo("connected");
            assertThat(charger.get("boot").get("chargePointVendor").asText()).isEqualTo("Acme");

            CompletableFuture<HttpResponse<String>> start = http.sendAsync(post("/api/chargers/" + CP
                    + "/calls/RemoteStartTransaction", "{\"idTag\":\"TAG-IT\",\"connectorId\":1}")
                    .header("Cookie", cookie).header("X-CSRF-Token", csrf).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode call = cp.awaitCall();
            assertThat(call.get(2).asText()).isEqualTo("RemoteStartTransaction");
            assertThat(call.get(3).get("idTag").asText()).isEqualTo("TAG-IT");
            cp.sendResult(call.get(1).asText(), OcppTestClient.object().put("status", "Accepted"));
            HttpResponse<String> started = start.get(15, TimeUnit.SECONDS);
            assertThat(started.statusCode()).isEqualTo(200);
            assertThat(json(started).get("status").asText()).isEqualTo("Accepted");
            assertThat(log()).contains("admin sends RemoteStartTransaction to " + CP + " through the HTTP API");

            // a viewer token made in the shell reads the metrics and may not act
            shell("chargeedge:token add prometheus viewer");
            GatewayRuntime.waitFor("the token", 10, () -> TOKEN.matcher(log()).find());
            Matcher m = TOKEN.matcher(log());
            assertThat(m.find()).isTrue();
            String token = m.group();
            HttpResponse<String> metrics = send(get("/metrics").header("Authorization", "Bearer " + token));
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("chargeedge_chargers_connected 1.0", "chargeedge_site_ready 1.0",
                    "jvm_memory_used_bytes", "chargeedge_store_commit_seconds_count");
            // the event log follows the framework's EventAdmin
            GatewayRuntime.waitFor("the boot in the event log", 10, () -> {
                try {
                    return send(get("/api/events/log?charger=" + CP).header("Authorization", "Bearer " + token))
                            .body().contains("Booted: Acme Wallbox, firmware 1.0");
                } catch (Exception e) {
                    return false;
                }
            });
            assertThat(send(post("/api/chargers/" + CP + "/calls/Reset", "{\"type\":\"Soft\"}")
                    .header("Authorization", "Bearer " + token)).statusCode()).isEqualTo(403);
        }
        assertThat(Files.readString(work.resolve("data/http/users.json"))).doesNotContain(ADMIN_PASSWORD);
    }

    /**
     * Remote management through Felix HTTP's whiteboard: the management bundle's servlet behind the HTTP
     * bundle's filter; a viewer is refused even reading; an operator's browser session uploads a newer
     * energy bundle as a multipart form (streamed to disk by the servlet), and the job commits, recording the
     * user who started it.
     */
    @Test
    void anOperatorUpdatesABundleThroughTheManagementResources() throws Exception {
        assertThat(send(get("/api/management/bundles")).statusCode()).isEqualTo(401);
        HttpResponse<String> login = send(post("/api/login", "{\"user\":\"admin\",\"password\":\""
                + ADMIN_PASSWORD + "\"}"));
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        String csrf = json(login).get("csrfToken").asText();
        HttpResponse<String> bundles = send(get("/api/management/bundles").header("Cookie", cookie));
        assertThat(bundles.statusCode()).isEqualTo(200);
        assertThat(json(bundles).findValuesAsText("symbolicName")).contains("org.chargeedge.management",
                "org.chargeedge.energy");

        shell("chargeedge:token add dashboard viewer");
        GatewayRuntime.waitFor("the token", 10, () -> TOKEN.matcher(log()).find());
        Matcher m = TOKEN.matcher(log());
        assertThat(m.find()).isTrue();
        HttpResponse<String> viewer = send(get("/api/management/bundles").header("Authorization", "Bearer "
                + m.group()));
        assertThat(viewer.statusCode()).isEqualTo(403);
        assertThat(json(viewer).get("error").asText()).contains("operator role");

        Path energy = GatewayRuntime.distributionJars().stream()
                .filter(j -> "org.chargeedge.energy".equals(GatewayRuntime.symbolicName(GatewayRuntime.manifest(j))))
                .findFirst().orElseThrow();
        Path newer = GatewayRuntime.withVersion(energy, "0.1.1", work.resolve("energy-0.1.1.jar"));
        String boundary = "ChargeEdgeIT" + System.nanoTime();
        java.io.ByteArrayOutputStream form = new java.io.ByteArrayOutputStream();
        form.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"sha256\"\r\n\r\n"
                + GatewayRuntime.sha256(newer) + "\r\n--" + boundary + "\r\nContent-Disposition: form-data;"
                + " name=\"bundle\"; filename=\"energy.jar\"\r\nContent-Type: application/java-archive\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        form.write(Files.readAllBytes(newer));
        form.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        HttpResponse<String> submitted = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                + "/api/management/bundles")).timeout(Duration.ofSeconds(20)).header("Cookie", cookie)
                .header("X-CSRF-Token", csrf).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(form.toByteArray())));
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
        String id = json(submitted).get("id").asText();
        GatewayRuntime.waitFor("the job committed", 60, () -> {
            try {
                return json(send(get("/api/management/jobs/" + id).header("Cookie", cookie))).get("state").asText()
                        .equals("COMMITTED");
            } catch (Exception e) {
                return false;
            }
        });
        JsonNode job = json(send(get("/api/management/jobs/" + id).header("Cookie", cookie)));
        assertThat(job.get("origin").asText()).isEqualTo("http (operator from 127.0.0.1)");
        assertThat(job.get("startedBy").asText()).as("the logged-in user").isEqualTo("admin");
        assertThat(job.get("bundles").get(0).get("toVersion").asText()).isEqualTo("0.1.1");
        assertThat(log()).contains("Job " + id + " submitted by admin over http (operator from 127.0.0.1)")
                .contains("Job " + id + " committed");
    }

    private static final Pattern TOKEN = Pattern.compile("ce_[0-9a-f]{8}_[A-Za-z0-9_-]{43}");

    private void shell(String command) throws Exception {
        gateway.getOutputStream().write((command + "\n").getBytes(StandardCharsets.UTF_8));
        gateway.getOutputStream().flush();
    }

    private HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).timeout(Duration.ofSeconds(20))
                .GET();
    }

    private HttpRequest.Builder post(String path, String body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return OcppTestClient.JSON.readTree(response.body());
    }

    private String log() {
        try {
            return Files.readString(log);
        } catch (Exception e) {
            return "";
        }
    }
}
