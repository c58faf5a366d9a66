package org.chargeedge.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Keeps the served OpenAPI description true: every servlet path of the bundle
 * is described, every described operation exists (it is not the router's "no
 * such" 404), and every status it answers with is among the described ones.
 * The management bundle's paths are described here as well, and checked by
 * that bundle's {@code ManagementHttpTest} against its servlet.
 */
class OpenApiTest extends RealSiteTestBase {

    /** The paths of the management bundle's servlet, described here too: the API has one description. */
    static final String MANAGEMENT = "/api/management/";

    JsonNode doc;

    @BeforeEach
    void readTheDescription() throws Exception {
        HttpResponse<String> served = api.send(api.get("/api/openapi.json", null));
        assertThat(served.statusCode()).isEqualTo(200);
        doc = Json.MAPPER.readTree(served.body());
    }

    @Test
    void itIsAnOpenApi3DocumentWithResolvableReferences() {
        assertThat(doc.get("openapi").asText()).startsWith("3.");
        assertThat(doc.get("info").get("title").asText()).isNotBlank();
        List<String> refs = doc.findValuesAsText("$ref");
        assertThat(refs).isNotEmpty();
        for (String ref : refs) {
            assertThat(doc.at(ref.substring(1)).isMissingNode()).as(ref).isFalse();
        }
    }

    @Test
    void everyServletPathOfTheBundleIsDescribed() throws Exception {
        for (Class<?> servlet : List.of(LoginServlet.class, ApiServlet.class, MetricsServlet.class,
                HealthServlet.class, OpenApiServlet.class, EventLogServlet.class, MqttServlet.class)) {
            for (String pattern : ApiServer.patterns(servlet)) {
                if (pattern.endsWith("/*")) {
                    String prefix = pattern.substring(0, pattern.length() - 1);
                    assertThat(paths()).as(pattern).anyMatch(p -> p.startsWith(prefix));
                } else {
                    assertThat(paths()).as(pattern).contains(pattern);
                }
            }
        }
    }

    @Test
    void everyDescribedOperationExistsAndAnswersOnlyWithDescribedStatuses() throws Exception {
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.get("paths").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> path = it.next();
            if (path.getKey().startsWith(MANAGEMENT)) {
                continue; // another bundle's servlet, checked by its own test (ManagementHttpTest)
            }
            String concrete = path.getKey().replace("{chargePointId}", "CP-1").replace("{action}", "Reset")
                    .replace("{connectorId}", "1");
            for (Iterator<String> methods = path.getValue().fieldNames(); methods.hasNext(); ) {
                String method = methods.next();
                HttpResponse<java.io.InputStream> r = api.client.send((method.equals("get")
                        ? api.get(concrete, operator) : api.post(concrete, operator, "{}")).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                String body;
                try (java.io.InputStream in = r.body()) {
                    // an event stream never ends: its status and headers are what there is to check
                    body = r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream") ? ""
                            : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                }
                String what = method.toUpperCase() + " " + concrete + " -> " + r.statusCode() + " " + body;
                assertThat(body).as(what).doesNotContain("no such resource").doesNotContain("no such action");
                assertThat(path.getValue().get(method).get("responses").has(String.valueOf(r.statusCode())))
                        .as(what).isTrue();
            }
        }
    }

    private List<String> paths() {
        List<String> out = new ArrayList<>();
        doc.get("paths").fieldNames().forEachRemaining(out::add);
        return out;
    }
}
