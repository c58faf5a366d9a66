package org.chargeedge.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.ExecutionException;

import org.junit.jupiter.api.Test;

/** The chargers' calls by action and outcome, with latencies, at /metrics: counted by the real central system. */
class CallMetricsTest extends RealSiteTestBase {

    @Test
    void callsAreCountedByActionAndOutcomeWithTheirLatency() throws Exception {
        site.calls = centralSystem.calls();
        charger.call("Heartbeat", "{}");
        charger.call("Heartbeat", "{}");
        assertThatThrownBy(() -> charger.call("FlyToTheMoon", "{}")).isInstanceOf(ExecutionException.class)
                .hasMessageContaining("NotImplemented");
        assertThatThrownBy(() -> charger.call("StatusNotification", "{\"connectorId\":\"one\"}"))
                .isInstanceOf(ExecutionException.class);

        String metrics = api.send(api.get("/metrics", viewer)).body();
        assertThat(metrics)
                .contains("# TYPE chargeedge_ocpp_calls_seconds histogram")
                .contains("chargeedge_ocpp_calls_seconds_count{action=\"BootNotification\",outcome=\"CallResult\"} 1")
                .contains("chargeedge_ocpp_calls_seconds_count{action=\"Heartbeat\",outcome=\"CallResult\"} 2")
                .contains("chargeedge_ocpp_calls_seconds_count{action=\"unknown\",outcome=\"NotImplemented\"} 1")
                .containsPattern("chargeedge_ocpp_calls_seconds_count\\{action=\"StatusNotification\",outcome=\""
                        + "(TypeConstraintViolation|FormationViolation|OccurrenceConstraintViolation)\"} 1")
                // every Heartbeat answered within 30 s: both in the +Inf bucket, none above the last bound
                .contains("chargeedge_ocpp_calls_seconds_bucket{action=\"Heartbeat\",outcome=\"CallResult\",le=\"+Inf\"} 2")
                .contains("chargeedge_ocpp_calls_seconds_bucket{action=\"Heartbeat\",outcome=\"CallResult\",le=\"30.0\"} 2");
        // the action label is bounded: an unknown name is never a label value
        assertThat(metrics).doesNotContain("FlyToTheMoon");
    }
}
