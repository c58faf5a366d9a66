package org.chargeedge.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The "OCPP server" health check over the real central system: a probe connection, not a flag. */
class OcppServerCheckTest extends RealSiteTestBase {

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-12-06T08:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @Test
    void healthSaysTheServerAnswersThenCriticalOnceItStops() throws Exception {
        TestClock clock = new TestClock();
        OcppServerCheck check = new OcppServerCheck(centralSystem.health(), clock);
        api.health.addCheck(check, Map.of(HealthCheck.NAME, "OCPP server"));

        HttpResponse<String> ok = api.send(api.get("/health", null));
        assertThat(ok.statusCode()).isEqualTo(200);
        JsonNode server = find(ok, "OCPP server");
        assertThat(server.get("status").asText()).isEqualTo("OK");
        assertThat(server.get("message").asText())
                .contains("answering on ws 127.0.0.1:" + centralSystem.port())
                .contains("1 charger connection(s)");

        centralSystem.close();
        // within the reuse window the last probe's answer stands: a public endpoint cannot make the
        // server probe itself more than once per window
        assertThat(check.execute().getStatus()).isEqualTo(Result.Status.OK);
        clock.now = clock.now.plus(OcppServerCheck.REUSE);
        HttpResponse<String> down = api.send(api.get("/health", null));
        assertThat(down.statusCode()).isEqualTo(503);
        JsonNode stopped = find(down, "OCPP server");
        assertThat(stopped.get("status").asText()).isEqualTo("CRITICAL");
        assertThat(stopped.get("message").asText()).contains("the listening socket is closed")
                .endsWith("; ports: ws 127.0.0.1:" + centralSystem.port() + " closed");
    }

    @Test
    void noServerIsCritical() {
        Result result = new OcppServerCheck(null, Clock.systemUTC()).execute();
        assertThat(result.getStatus()).isEqualTo(Result.Status.CRITICAL);
        assertThat(result.iterator().next().getMessage()).contains("does not run");
    }

    @Test
    void aPortThatDoesNotAnswerIsCriticalAndNamed() throws Exception {
        // a listener the server says is open, but whose probe fails: the check reports the probe's words
        org.chargeedge.api.charger.OcppServerHealth wedged = new org.chargeedge.api.charger.OcppServerHealth() {
            @Override
            public java.util.List<Listener> listeners() {
                return java.util.List.of(new Listener("0.0.0.0", 9000, false, true));
            }

            @Override
            public int connections() {
                return 3;
            }

            @Override
            public String probe(Duration timeout) {
                return "port 9000 accepted the connection but did not answer within " + timeout.toSeconds() + " s";
            }
        };
        Result result = new OcppServerCheck(wedged, Clock.systemUTC()).execute();
        assertThat(result.getStatus()).isEqualTo(Result.Status.CRITICAL);
        assertThat(result.iterator().next().getMessage())
                .isEqualTo("port 9000 accepted the connection but did not answer within 2 s; ports: ws 0.0.0.0:9000");
    }

    private static JsonNode find(HttpResponse<String> response, String name) throws Exception {
        for (JsonNode check : new ObjectMapper().readTree(response.body()).get("checks")) {
            if (check.get("name").asText().equals(name)) {
                return check;
            }
        }
        throw new AssertionError(name + " not in " + response.body());
    }
}
