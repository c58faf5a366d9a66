package org.chargeedge.mqtt.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.chargeedge.api.energy.Measurement;
import org.chargeedge.api.energy.MeasurementKey;
import org.chargeedge.api.energy.Meter;
import org.chargeedge.api.energy.Quantity;
import org.junit.jupiter.api.Test;

/**
 * Values of devices that publish on change only, validity flags and the grid
 * interval, on a clock the test moves: the energy model's expiry is replaced
 * by looking at what the engine wrote and when.
 */
class LivenessTest {

    private static final String V = "N/c0619ab1234/system/0";
    private static final MeasurementKey SOC = MeasurementKey.of(Meter.BATTERY, Quantity.STATE_OF_CHARGE);
    private static final MeasurementKey GRID = MeasurementKey.of(Meter.GRID, Quantity.POWER);
    private static final MeasurementKey PV = MeasurementKey.of(Meter.PV, Quantity.POWER);

    private Instant now = Instant.parse("2026-06-01T10:00:00Z");
    private final RecordingSink sink = new RecordingSink();
    private final Clock clock = new Clock() {
        @Override public ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    };

    private MappingEngine engine(String... keyValues) {
        Presets.Plan plan = Presets.build(Inputs.settings("t", keyValues));
        return new MappingEngine("t", plan.mappings(), plan.gates(), sink, clock);
    }

    private Measurement last(MeasurementKey key) {
        return sink.calls.stream().filter(c -> c instanceof Measurement m && m.key().equals(key))
                .map(c -> (Measurement) c).reduce((a, b) -> b).orElseThrow();
    }

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    @Test
    void aSteadyVictronValueIsConfirmedByTheGxsOtherMessagesAndExpiresWhenItFallsSilent() {
        MappingEngine e = engine("preset", "victron", "device", "c0619ab1234", "phases", "1");
        e.onMessage(V + "/Dc/Battery/Soc", b("{\"value\": 76.5}"));
        Instant first = now;
        // suppress-republish: only the grid power changes; the SoC is not sent again
        for (int i = 0; i < 10; i++) {
            now = now.plusSeconds(30);
            e.onMessage(V + "/Ac/Grid/L1/Power", b("{\"value\": " + (900 + i) + "}"));
        }
        Measurement soc = last(SOC);
        assertThat(soc.value()).isEqualTo(76.5);
        assertThat(soc.measuredAt()).as("confirmed, 300 s later, under a 90 s timeout").isAfter(first.plusSeconds(200));
        assertThat(soc.freshAt(now)).isTrue();
        // the GX dies: nothing confirms any more, the value times out in the model
        Instant silent = now;
        now = now.plusSeconds(91);
        assertThat(last(SOC).freshAt(now)).isFalse();
        assertThat(last(SOC).measuredAt()).isEqualTo(silent);
    }

    @Test
    void aRetainedMessageIsConfirmedByTheFirstLiveMessageOfItsGroup() {
        MappingEngine e = engine("preset", "victron", "device", "c0619ab1234", "phases", "1");
        e.onMessage(V + "/Dc/Battery/Soc", b("{\"value\": 50}"), true);
        assertThat(last(SOC).timing()).isEqualTo(Measurement.Timing.AGE_UNKNOWN);
        assertThat(e.replayed.sum()).isEqualTo(1);
        e.onMessage(V + "/Ac/Grid/L1/Power", b("{\"value\": 100}"), true);
        assertThat(last(SOC).timing()).as("a retained message proves nothing").isEqualTo(Measurement.Timing.AGE_UNKNOWN);
        e.onMessage(V + "/Ac/Grid/L1/Power", b("{\"value\": 120}"));
        assertThat(last(SOC).timing()).isEqualTo(Measurement.Timing.RECEIVED);
        assertThat(last(GRID).value()).isEqualTo(120);
    }

    @Test
    void anEmptyVictronPayloadIsUnknownAndNotConfirmedAfterwards() {
        MappingEngine e = engine("preset", "victron", "device", "c0619ab1234", "phases", "1");
        e.onMessage(V + "/Dc/Battery/Soc", b("{\"value\": 50}"));
        e.onMessage(V + "/Dc/Battery/Soc", new byte[0]);
        int calls = sink.calls.size();
        now = now.plusSeconds(60);
        e.onMessage(V + "/Ac/Grid/L1/Power", b("{\"value\": 100}"));
        assertThat(sink.latest).doesNotContainKey(SOC);
        assertThat(sink.calls.subList(calls, sink.calls.size())).noneMatch(c -> c instanceof Measurement m
                && m.key().equals(SOC));
    }

    @Test
    void victronAcPvPhasesWithoutInverterCountZeroOnlyWhileOneHasAValue() {
        MappingEngine e = engine("preset", "victron", "device", "c0619ab1234", "pv", "ac");
        e.onMessage(V + "/Ac/PvOnGrid/L1/Power", b("{\"value\": null}"));
        e.onMessage(V + "/Ac/PvOnGrid/L2/Power", b("{\"value\": null}"));
        e.onMessage(V + "/Ac/PvOnGrid/L3/Power", b("{\"value\": null}"));
        assertThat(sink.latest).doesNotContainKey(PV);
        e.onMessage(V + "/Ac/PvOnGrid/L2/Power", b("{\"value\": 1200}"));
        assertThat(sink.latest).containsEntry(PV, 1200.0);
        e.onMessage(V + "/Ac/PvOnGrid/L2/Power", b("{\"value\": null}"));
        assertThat(sink.latest).as("no phase has a value: unknown, not 0").doesNotContainKey(PV);
    }

    @Test
    void openDtuValidityFlagClosesAndOpens() {
        MappingEngine e = engine("preset", "opendtu");
        e.onMessage("solar/ac/power", b("300"));
        assertThat(sink.latest).containsEntry(PV, 300.0);
        e.onMessage("solar/ac/is_valid", b("0"));
        assertThat(sink.latest).doesNotContainKey(PV);
        e.onMessage("solar/ac/power", b("300"));
        assertThat(sink.latest).doesNotContainKey(PV);
        assertThat(e.invalidKeys()).contains(PV);
        e.onMessage("solar/ac/is_valid", b("garbage"));
        e.onMessage("solar/ac/power", b("300"));
        assertThat(sink.latest).as("an unreadable flag is not valid").doesNotContainKey(PV);
        e.onMessage("solar/ac/is_valid", b("1"));
        e.onMessage("solar/ac/power", b("310"));
        assertThat(sink.latest).containsEntry(PV, 310.0);
    }

    @Test
    void theGridIntervalIsMeasuredBetweenMessagesAndDecidesTheWarning() {
        MappingEngine e = engine("preset", "tasmota", "device", "sm");
        e.watchGrid(Duration.ofSeconds(30), Presets.advice("tasmota"));
        e.onMessage("tele/sm/SENSOR", b("{\"SML\":{\"Power_curr\":5,\"Total_in\":1}}"));
        assertThat(e.gridInterval()).isNull();
        now = now.plusSeconds(300);
        e.onMessage("tele/sm/SENSOR", b("{\"SML\":{\"Power_curr\":6,\"Total_in\":1}}"));
        assertThat(e.gridInterval()).isEqualTo(Duration.ofSeconds(300));
        now = now.plusSeconds(10);
        e.onMessage("tele/sm/SENSOR", b("{\"SML\":{\"Power_curr\":7,\"Total_in\":1}}"));
        assertThat(e.gridInterval()).isEqualTo(Duration.ofSeconds(10));
    }
}
