package org.chargeedge.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.chargeedge.loadgen.scenario.Call;
import org.chargeedge.loadgen.scenario.ChargerContext;
import org.chargeedge.loadgen.scenario.ChargerScript;
import org.chargeedge.loadgen.scenario.Feedback;
import org.chargeedge.loadgen.scenario.Meter;
import org.chargeedge.loadgen.scenario.Payloads;
import org.chargeedge.loadgen.scenario.Scenarios;
import org.junit.jupiter.api.Test;

class OptionsAndPayloadTest {

    @Test
    void defaults() throws Exception {
        Options o = Options.parse();
        assertThat(o.url).isEqualTo("ws://127.0.0.1:9000/ocpp/");
        assertThat(o.chargers).isEqualTo(1000);
        assertThat(o.idPrefix).isEqualTo("LG-");
        assertThat(o.scenario).isEqualTo("mixed");
        assertThat(o.rate).isZero();
        assertThat(o.duration).isEqualTo(Duration.ofSeconds(30));
        assertThat(o.warmup).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.connectConcurrency).isEqualTo(200);
        assertThat(o.callTimeout).isEqualTo(Duration.ofSeconds(30));
        assertThat(o.gatewayPid).isEqualTo(-1);
        assertThat(o.json).isNull();
    }

    @Test
    void parsesOptionsAndDurations() throws Exception {
        Options o = Options.parse("--url=ws://10.0.0.1:9/x", "--chargers", "7", "--rate", "12.5", "--duration", "1.5m",
                "--warmup", "250ms", "--gateway-pid", "42", "--id-prefix", "CP/");
        assertThat(o.chargers).isEqualTo(7);
        assertThat(o.rate).isEqualTo(12.5);
        assertThat(o.duration).isEqualTo(Duration.ofSeconds(90));
        assertThat(o.warmup).isEqualTo(Duration.ofMillis(250));
        assertThat(o.gatewayPid).isEqualTo(42);
        assertThat(o.chargePointId(0)).isEqualTo("CP/0001");
        assertThat(o.chargerUri(o.chargePointId(6)).toString()).isEqualTo("ws://10.0.0.1:9/x/CP%2F0007");
        assertThat(Options.duration("d", "2")).isEqualTo(Duration.ofSeconds(2));
        assertThat(Options.duration("d", "1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Options.parse("--chargers", "12345").chargePointId(11)).isEqualTo("LG-00012");
    }

    @Test
    void rejectsBadOptions() {
        assertThatThrownBy(() -> Options.parse("--duration", "soon")).hasMessageContaining("duration");
        assertThatThrownBy(() -> Options.parse("--chargers", "0")).hasMessageContaining("chargers");
        assertThatThrownBy(() -> Options.parse("--rate", "-1")).hasMessageContaining("rate");
        assertThatThrownBy(() -> Options.parse("--bogus", "1")).hasMessageContaining("unknown option");
        assertThatThrownBy(() -> Options.parse("--url")).hasMessageContaining("missing value");
        assertThatThrownBy(() -> Options.parse("--url", "http://x/")).hasMessageContaining("ws://");
        assertThatThrownBy(() -> Options.parse("--url", "wss://x/", "--ca-file", "/nonexistent/ca.pem"))
                .hasMessageContaining("--ca-file /nonexistent/ca.pem is not a readable file");
    }

    @Test
    void jsonRoundTripAndStrictness() throws Exception {
        String text = "{\"a\":[1,-2.5e3,true,false,null,\"x\\\"\\u00e9\\n\"],\"b\":{}}";
        Object v = RunState.JSON.readValue(text, Object.class);
        assertThat(v).isEqualTo(Map.of("a", java.util.Arrays.asList(1L, -2500.0, true, false, null, "x\"\u00e9\n"),
                "b", Map.of()));
        assertThat(RunState.JSON.readValue(RunState.JSON.writeValueAsString(v), Object.class)).isEqualTo(v);
        assertThat(RunState.JSON.readValue(Report.PRETTY.writeValueAsString(v), Object.class)).isEqualTo(v);
        for (String bad : new String[] {"", "[1,]", "{\"a\" 1}", "[1] x", "01", "\"abc", "[\"\u0001\"]", "tru", "{1:2}"}) {
            assertThatThrownBy(() -> RunState.JSON.readValue(bad, Object.class)).as(bad)
                    .isInstanceOf(JsonProcessingException.class);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void meterValuesCarryRealisticSampledValues() throws Exception {
        Meter meter = new Meter(1);
        Call c = Payloads.meterValues(1, 77L, meter);
        assertThat(c.action()).isEqualTo("MeterValues");
        Map<String, Object> p = RunState.JSON.readValue(c.payloadJson(), Map.class);
        assertThat(p).containsEntry("connectorId", 1L).containsEntry("transactionId", 77L);
        Map<String, Object> mv = (Map<String, Object>) ((List<?>) p.get("meterValue")).get(0);
        assertThat((String) mv.get("timestamp")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{3})?Z");
        List<Map<String, Object>> sv = (List<Map<String, Object>>) mv.get("sampledValue");
        assertThat(sv).extracting(m -> m.get("measurand")).containsExactly("Energy.Active.Import.Register",
                "Power.Active.Import", "Current.Import", "Current.Import", "Current.Import");
        assertThat(sv).extracting(m -> m.get("unit")).containsExactly("Wh", "W", "A", "A", "A");
        assertThat(sv).extracting(m -> m.get("phase")).containsExactly(null, null, "L1", "L2", "L3");
        double power = Double.parseDouble((String) sv.get(1).get("value"));
        assertThat(power).isBetween(9000.0, 11100.0);
        double current = Double.parseDouble((String) sv.get(2).get("value"));
        assertThat(current).isBetween(12.0, 17.0);
        double e1 = Double.parseDouble((String) sv.get(0).get("value"));
        Map<String, Object> p2 = RunState.JSON.readValue(Payloads.meterValues(1, null, meter).payloadJson(), Map.class);
        assertThat(p2).doesNotContainKey("transactionId");
        Map<String, Object> mv2 = (Map<String, Object>) ((List<?>) p2.get("meterValue")).get(0);
        double e2 = Double.parseDouble((String) ((List<Map<String, Object>>) mv2.get("sampledValue")).get(0).get("value"));
        assertThat(e2).as("energy register never decreases").isGreaterThanOrEqualTo(e1);
    }

    @Test
    void transactionsScenarioUsesTheReturnedTransactionId() {
        List<String> errors = new ArrayList<>();
        Feedback fb = new Feedback() {
            @Override
            public void error(String kind) {
                errors.add(kind);
            }

            @Override
            public void warning(String kind) {
                errors.add("warning " + kind);
            }
        };
        ChargerScript s = Scenarios.get("transactions").newCharger(new ChargerContext("LG-0001", 0, "TAG", 2, fb));
        List<String> actions = new ArrayList<>();
        Call boot = s.next();
        s.onResult(boot, Map.of("status", "Accepted", "interval", 300L, "currentTime", "2024-01-01T00:00:00Z"));
        actions.add(boot.action());
        for (int tx = 1; tx <= 2; tx++) {
            Call start = s.next();
            actions.add(start.action());
            s.onResult(start, Map.of("transactionId", 500L + tx, "idTagInfo", Map.of("status", "Accepted")));
            for (int i = 0; i < 3; i++) {
                Call c = s.next();
                actions.add(c.action());
                assertThat(c.payloadJson()).contains("\"transactionId\":" + (500 + tx));
                s.onResult(c, Map.of());
            }
        }
        assertThat(actions).containsExactly("BootNotification", "StartTransaction", "MeterValues", "MeterValues",
                "StopTransaction", "StartTransaction", "MeterValues", "MeterValues", "StopTransaction");
        assertThat(errors).isEmpty();
        // a StartTransaction answer without transactionId is an error and the script starts over
        Call start = s.next();
        s.onResult(start, Map.of("idTagInfo", Map.of("status", "Accepted")));
        assertThat(errors).containsExactly("invalid-result:StartTransaction");
        assertThat(s.next().action()).isEqualTo("StartTransaction");
    }
}
