package org.chargeedge.mqtt.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

import org.chargeedge.api.energy.Measurement;
import org.chargeedge.api.energy.MeasurementKey;
import org.chargeedge.api.energy.Meter;
import org.chargeedge.api.energy.Quantity;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The device's own measuring time, where a payload carries one. */
class DeviceTimeTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    /** 2024-06-01 12:00:00 in Berlin (summer time, UTC+2). */
    private static final Instant NOW = Instant.parse("2024-06-01T10:00:00Z");
    private static final Duration MIN = Duration.ofMinutes(1);
    private static final MeasurementKey GRID = MeasurementKey.of(Meter.GRID, Quantity.POWER);
    private static final MeasurementKey PV = MeasurementKey.of(Meter.PV, Quantity.POWER);

    private final RecordingSink sink = new RecordingSink();

    private MappingEngine engine(List<Mapping> mappings) {
        return new MappingEngine("test", mappings, sink, Clock.fixed(NOW, BERLIN));
    }

    private Instant measuredAt(MeasurementKey key) {
        return sink.calls.stream().filter(c -> c instanceof Measurement m && m.key().equals(key))
                .map(c -> ((Measurement) c).measuredAt()).reduce((a, b) -> b).orElseThrow();
    }

    private static DeviceTime.Result read(String spec, String json) throws Exception {
        return DeviceTime.parse(spec).read(new ObjectMapper().readTree(json), BERLIN);
    }

    @Test
    void formatsDevicesWrite() throws Exception {
        Instant noon = Instant.parse("2024-06-01T10:00:00Z");
        assertThat(read("Time", "{\"Time\":\"2024-06-01T12:00:00\"}").at()).as("Tasmota, local").isEqualTo(noon);
        assertThat(read("Timestamp|TimeStamp", "{\"TimeStamp\":\"01/06/2024 12:00:00\"}").at())
                .as("SBFspot, local, day first, second spelling").isEqualTo(noon);
        assertThat(read("t", "{\"t\":\"2024-06-01 12:00:00\"}").at()).isEqualTo(noon);
        assertThat(read("t", "{\"t\":\"2024-06-01T10:00:00Z\"}").at()).isEqualTo(noon);
        assertThat(read("t", "{\"t\":\"2024-06-01T11:00:00+01:00\"}").at()).isEqualTo(noon);
        assertThat(read("params.ts", "{\"params\":{\"ts\":1717236000.25}}").at())
                .isEqualTo(noon.plusMillis(250));
        assertThat(read("t", "{\"t\":1717236000000}").at()).as("milliseconds").isEqualTo(noon);
        assertThat(read("t", "{\"t\":\"1717236000\"}").at()).isEqualTo(noon);
        assertThat(read("t", "{\"x\":1}").kind()).isEqualTo(DeviceTime.Result.Kind.ABSENT);
        assertThat(read("t", "{\"t\":null}").kind()).isEqualTo(DeviceTime.Result.Kind.ABSENT);
        for (String bad : List.of("\"yesterday\"", "\"\"", "\"2024-13-01T12:00:00\"", "true", "-5", "{}")) {
            assertThat(read("t", "{\"t\":" + bad + "}").kind()).as(bad).isEqualTo(DeviceTime.Result.Kind.INVALID);
        }
    }

    private Measurement lastOf(MeasurementKey key) {
        return sink.calls.stream().filter(c -> c instanceof Measurement m && m.key().equals(key))
                .map(c -> (Measurement) c).reduce((a, b) -> b).orElseThrow();
    }

    @Test
    void aLocalTimeIsNotTrustedItsSkewIsReportedAndTheArrivalCounts() {
        MappingEngine e = engine(Presets.build(Inputs.settings("sma", "preset", "sbfspot", "device", "1")).mappings());
        e.onMessage("sbfspot_1", "{\"Timestamp\":\"01/06/2024 11:50:00\",\"PACTot\":3456,\"MeteringWTot\":-1}"
                .getBytes(UTF_8));
        assertThat(measuredAt(PV)).isEqualTo(NOW);
        assertThat(lastOf(GRID).timing()).isEqualTo(Measurement.Timing.RECEIVED);
        assertThat(lastOf(GRID).clockSkew()).isEqualTo(Duration.ofMinutes(-10));
        assertThat(e.lastSkew()).isEqualTo(Duration.ofMinutes(-10));
        assertThat(MappingEngine.describeSkew(e.lastSkew())).isEqualTo("10 min 00 s behind");
        e.onMessage("sbfspot_1", "{\"Timestamp\":\"01/06/2024 12:05:00\",\"PACTot\":3456}".getBytes(UTF_8));
        assertThat(measuredAt(PV)).as("a device clock ahead").isEqualTo(NOW);
        assertThat(e.badTime.sum()).isZero();
    }

    @Test
    void aZonedTimeThatAgreesIsTrustedOneThatDoesNotIsReported() {
        MappingEngine e = engine(MappingLine.parse("grid POWER topic=m json=p time=ts", Duration.ofMinutes(5)));
        e.onMessage("m", "{\"p\":1,\"ts\":\"2024-06-01T11:59:30+02:00\"}".getBytes(UTF_8));
        assertThat(lastOf(GRID).measuredAt()).isEqualTo(NOW.minusSeconds(30));
        assertThat(lastOf(GRID).timing()).isEqualTo(Measurement.Timing.MEASURED);
        assertThat(e.lastSkew()).isNull();
        // a clock an hour behind: not an hour of staleness, a skew
        e.onMessage("m", "{\"p\":2,\"ts\":\"2024-06-01T09:00:00Z\"}".getBytes(UTF_8));
        assertThat(lastOf(GRID).measuredAt()).isEqualTo(NOW);
        assertThat(lastOf(GRID).timing()).isEqualTo(Measurement.Timing.RECEIVED);
        assertThat(lastOf(GRID).clockSkew()).isEqualTo(Duration.ofHours(-1));
        // replayed (retained): a trusted time gives it an age, old or not
        e.onMessage("m", "{\"p\":3,\"ts\":\"2024-06-01T09:00:00Z\"}".getBytes(UTF_8), true);
        assertThat(lastOf(GRID).measuredAt()).isEqualTo(NOW.minus(Duration.ofHours(1)));
        assertThat(lastOf(GRID).timing()).isEqualTo(Measurement.Timing.MEASURED);
        e.onMessage("m", "{\"p\":4,\"ts\":\"2024-06-01T12:00:00\"}".getBytes(UTF_8), true);
        assertThat(lastOf(GRID).timing()).as("replayed, local time").isEqualTo(Measurement.Timing.AGE_UNKNOWN);
        e.onMessage("m", "{\"p\":5}".getBytes(UTF_8), true);
        assertThat(lastOf(GRID).timing()).as("replayed, no time").isEqualTo(Measurement.Timing.AGE_UNKNOWN);
    }

    @Test
    void anUnreadableTimeIsCountedOnceAndTheArrivalCounts() {
        MappingEngine e = engine(Presets.build(Inputs.settings("g", "preset", "tasmota", "device", "sm")).mappings());
        e.onMessage("tele/sm/SENSOR", "{\"Time\":\"1970-01-01T0:00\",\"SML\":{\"Power_curr\":5,\"Total_in\":1}}"
                .getBytes(UTF_8));
        assertThat(sink.latest).containsEntry(GRID, 5.0);
        assertThat(measuredAt(GRID)).isEqualTo(NOW);
        assertThat(e.badTime.sum()).as("one message, two values").isEqualTo(1);
        assertThat(e.lastBadTime()).startsWith("tele/sm/SENSOR: ");
        assertThat(e.invalid.sum()).isZero();
        e.onMessage("tele/sm/SENSOR", "{\"SML\":{\"Power_curr\":6}}".getBytes(UTF_8));
        assertThat(measuredAt(GRID)).as("no time field: arrival").isEqualTo(NOW);
        assertThat(e.badTime.sum()).isEqualTo(1);
    }

    @Test
    void sumsTakeTheOldestDeviceTimeAndHandWrittenLinesCanNameATime() {
        Duration stale = Duration.ofMinutes(5);
        List<Mapping> m = new java.util.ArrayList<>(
                MappingLine.parse("grid POWER topic=m/in json=p time=ts import", stale));
        m.addAll(MappingLine.parse("grid POWER topic=m/out json=p time=ts export", stale));
        assertThat(m.get(0).time().spec()).isEqualTo("ts");
        MappingEngine e = engine(m);
        e.onMessage("m/in", "{\"p\":100,\"ts\":\"2024-06-01T11:59:20+02:00\"}".getBytes(UTF_8));
        e.onMessage("m/out", "{\"p\":40,\"ts\":\"2024-06-01T09:59:40Z\"}".getBytes(UTF_8));
        assertThat(sink.latest).containsEntry(GRID, 60.0);
        assertThat(measuredAt(GRID)).isEqualTo(NOW.minusSeconds(40));
        assertThatThrownBy(() -> MappingLine.parse("grid POWER topic=x time=ts", MIN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("json=");
        assertThatThrownBy(() -> MappingLine.parse("grid POWER topic=x json=p time=", MIN))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Presets.build(Inputs.settings("o", "preset", "opendtu")).mappings())
                .as("presets without a device time").allMatch(x -> x.time() == null);
    }
}
