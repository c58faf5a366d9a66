package org.chargeedge.mqtt.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.chargeedge.api.energy.EnergySnapshot;
import org.chargeedge.api.energy.MeasurementKey;
import org.chargeedge.api.energy.Meter;
import org.chargeedge.api.energy.PhaseRef;
import org.chargeedge.api.energy.Quantity;
import org.chargeedge.energy.internal.SiteEnergyComponent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every preset against a real broker, with payloads as the devices publish
 * them (docs/configuration.md has the same examples): device client publishes,
 * the gateway's connection and input read, the real energy model answers.
 */
class PresetsOverBrokerTest {

    private static EmbeddedBroker broker;
    private static TestClient device;

    @BeforeAll
    static void start() throws Exception {
        broker = new EmbeddedBroker();
        device = new TestClient(broker);
    }

    @AfterAll
    static void stop() throws Exception {
        device.close();
        broker.close();
    }

    static ConnectionSettings settings(EmbeddedBroker b, String base) {
        return new ConnectionSettings(b.url(), "", "", "gw-" + UUID.randomUUID(), true, base, 30,
                Duration.ofSeconds(5), Duration.ofMillis(50), Duration.ofMillis(500));
    }

    record Pub(String topic, String payload) {}

    record Case(String title, InputSettings settings, List<Pub> pubs, Map<MeasurementKey, Double> expected) {
        @Override
        public String toString() {
            return title;
        }
    }

    private static MeasurementKey k(Meter m, Quantity q) {
        return MeasurementKey.of(m, q);
    }

    private static MeasurementKey k(Meter m, Quantity q, PhaseRef p) {
        return new MeasurementKey(m, q, p);
    }

    private static Map<MeasurementKey, Double> map(Object... kv) {
        Map<MeasurementKey, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((MeasurementKey) kv[i], (Double) kv[i + 1]);
        }
        return m;
    }

    private static final DateTimeFormatter ISO = DateTimeFormatter.ISO_LOCAL_DATE_TIME;
    private static final DateTimeFormatter SBFSPOT = DateTimeFormatter.ofPattern("dd/MM/yyyy HH:mm:ss");

    /** The device's local time (the gateway's zone) some minutes ago, as the device writes it. */
    private static String local(int minutesAgo, DateTimeFormatter f) {
        return LocalDateTime.now().minusMinutes(minutesAgo).truncatedTo(ChronoUnit.SECONDS).format(f);
    }

    static Stream<Case> cases() {
        String v = "N/c0619ab1234/system/0";
        return Stream.of(
                new Case("OpenDTU", Inputs.settings("pv", "preset", "opendtu", "topicPrefix", "solar"),
                        List.of(new Pub("solar/ac/power", "1234.5"), new Pub("solar/ac/yieldtotal", "5432.1"),
                                new Pub("solar/ac/yieldday", "8765"), new Pub("solar/116190745467/0/power", "600.2")),
                        map(k(Meter.PV, Quantity.POWER), 1234.5, k(Meter.PV, Quantity.ENERGY), 5432100.0)),
                new Case("AhoyDTU plain", Inputs.settings("pv", "preset", "ahoydtu"),
                        List.of(new Pub("inverter/total/P_AC", "812"), new Pub("inverter/HM-800/ch0/P_AC", "400")),
                        map(k(Meter.PV, Quantity.POWER), 812.0)),
                new Case("AhoyDTU JSON", Inputs.settings("pv", "preset", "ahoydtu"),
                        List.of(new Pub("inverter/total", "{\"P_AC\":640.5,\"YieldTotal\":1234.5,\"YieldDay\":2100}")),
                        map(k(Meter.PV, Quantity.POWER), 640.5, k(Meter.PV, Quantity.ENERGY), 1234500.0)),
                new Case("Victron Venus OS", Inputs.settings("venus", "preset", "victron", "device", "c0619ab1234"),
                        List.of(new Pub(v + "/Ac/Grid/L1/Power", "{\"value\": 936}"),
                                new Pub(v + "/Ac/Grid/L2/Power", "{\"value\": -120.5}"),
                                new Pub(v + "/Ac/Grid/L3/Power", "{\"value\": 300}"),
                                new Pub(v + "/Dc/Pv/Power", "{\"value\": 2500}"),
                                new Pub(v + "/Ac/PvOnGrid/Total/Power", "{\"value\": null}"),
                                new Pub(v + "/Dc/Battery/Power", "{\"value\": -800}"),
                                new Pub(v + "/Dc/Battery/Soc", "{\"value\": 76.5}")),
                        map(k(Meter.GRID, Quantity.POWER, PhaseRef.L1), 936.0,
                                k(Meter.GRID, Quantity.POWER, PhaseRef.L3), 300.0,
                                k(Meter.GRID, Quantity.POWER), 1115.5, k(Meter.PV, Quantity.POWER), 2500.0,
                                k(Meter.BATTERY, Quantity.POWER), -800.0,
                                k(Meter.BATTERY, Quantity.STATE_OF_CHARGE), 76.5)),
                new Case("Shelly Gen1 3EM", Inputs.settings("grid", "preset", "shelly3em", "device", "shellyem3-ABC"),
                        List.of(new Pub("shellies/shellyem3-ABC/emeter/0/power", "230.5"),
                                new Pub("shellies/shellyem3-ABC/emeter/1/power", "-1200.00"),
                                new Pub("shellies/shellyem3-ABC/emeter/2/power", "15"),
                                new Pub("shellies/shellyem3-ABC/emeter/0/current", "1.10"),
                                new Pub("shellies/shellyem3-ABC/emeter/2/voltage", "231.2"),
                                new Pub("shellies/shellyem3-ABC/emeter/0/total", "123456.7"),
                                new Pub("shellies/shellyem3-ABC/emeter/1/total", "1000"),
                                new Pub("shellies/shellyem3-ABC/emeter/2/total", "2000.3"),
                                new Pub("shellies/shellyem3-ABC/emeter/1/total_returned", "98765.4")),
                        map(k(Meter.GRID, Quantity.POWER), -954.5, k(Meter.GRID, Quantity.POWER, PhaseRef.L2), -1200.0,
                                k(Meter.GRID, Quantity.CURRENT, PhaseRef.L1), 1.1,
                                k(Meter.GRID, Quantity.VOLTAGE, PhaseRef.L3), 231.2,
                                k(Meter.GRID, Quantity.ENERGY, PhaseRef.L1), 123456.7,
                                k(Meter.GRID, Quantity.ENERGY, PhaseRef.L2), 1000.0,
                                k(Meter.GRID, Quantity.ENERGY), 126457.0)),
                new Case("Shelly Pro 3EM, then a partial NotifyStatus",
                        Inputs.settings("grid", "preset", "shellypro3em", "topicPrefix", "shellypro3em-84cca8"),
                        List.of(new Pub("shellypro3em-84cca8/status/em:0", "{\"id\":0,\"a_current\":4.1,\"a_voltage\":230.1,"
                                        + "\"a_act_power\":900.0,\"b_act_power\":-100.0,\"c_act_power\":50.0,"
                                        + "\"total_act_power\":850.0,\"total_current\":6.2}"),
                                new Pub("shellypro3em-84cca8/events/rpc", "{\"src\":\"shellypro3em-84cca8\","
                                        + "\"dst\":\"shellypro3em-84cca8/events\",\"method\":\"NotifyStatus\","
                                        + "\"params\":{\"ts\":1700000000.12,\"em:0\":{\"id\":0,\"a_act_power\":1000.0,"
                                        + "\"total_act_power\":950.0}}}")),
                        map(k(Meter.GRID, Quantity.POWER), 950.0, k(Meter.GRID, Quantity.POWER, PhaseRef.L1), 1000.0,
                                k(Meter.GRID, Quantity.POWER, PhaseRef.L2), -100.0,
                                k(Meter.GRID, Quantity.CURRENT, PhaseRef.L1), 4.1)),
                new Case("Tasmota SML", Inputs.settings("grid", "preset", "tasmota", "device", "smartmeter"),
                        List.of(new Pub("tele/smartmeter/SENSOR", "{\"Time\":\"" + local(0, ISO) + "\",\"SML\":"
                                + "{\"Total_in\":12345.678,\"Total_out\":234.5,\"Power_curr\":-542}}")),
                        map(k(Meter.GRID, Quantity.POWER), -542.0, k(Meter.GRID, Quantity.ENERGY), 12345678.0)),
                new Case("Tasmota SML, reading an hour old", Inputs.settings("grid", "preset", "tasmota", "device", "sm2"),
                        List.of(new Pub("tele/sm2/SENSOR", "{\"Time\":\"" + local(60, ISO) + "\",\"SML\":"
                                + "{\"Total_in\":12345.678,\"Power_curr\":-542}}")),
                        map(k(Meter.GRID, Quantity.POWER), null)),
                new Case("SBFspot (SMA)", Inputs.settings("sma", "preset", "sbfspot", "device", "2130012345"),
                        List.of(new Pub("sbfspot_2130012345", "{\"Timestamp\":\"" + local(3, SBFSPOT) + "\","
                                + "\"InvSerial\":2130012345,\"PACTot\":3456.0,\"EToday\":12.3,"
                                + "\"MeteringWTot\":-1200.0}")),
                        map(k(Meter.PV, Quantity.POWER), 3456.0, k(Meter.GRID, Quantity.POWER), -1200.0)),
                new Case("SBFspot (SMA), retained data 20 minutes old",
                        Inputs.settings("sma", "preset", "sbfspot", "device", "2130099999"),
                        List.of(new Pub("sbfspot_2130099999", "{\"TimeStamp\":\"" + local(20, SBFSPOT) + "\","
                                + "\"PACTot\":3456.0,\"MeteringWTot\":-1200.0}")),
                        map(k(Meter.PV, Quantity.POWER), null, k(Meter.GRID, Quantity.POWER), null)),
                new Case("SMA-EM daemon", Inputs.settings("grid", "preset", "smaem", "device", "1900123456"),
                        List.of(new Pub("SMA-EM/status/1900123456", "{\"pconsume\":0.0,\"psupply\":1830.5,"
                                + "\"p1consume\":0.0,\"p1supply\":610.2,\"p2consume\":12.0,\"p2supply\":0.0,"
                                + "\"p3consume\":0.0,\"p3supply\":1232.3}")),
                        map(k(Meter.GRID, Quantity.POWER), -1830.5, k(Meter.GRID, Quantity.POWER, PhaseRef.L1), -610.2,
                                k(Meter.GRID, Quantity.POWER, PhaseRef.L2), 12.0)),
                new Case("Fronius bridge", Inputs.settings("grid", "preset", "fronius", "device", "smartmeter"),
                        List.of(new Pub("fronius/meter/smartmeter/values", "{\"power_active\":-1842.0,"
                                + "\"phases\":[{\"power_active\":-600,\"current\":2.6,\"voltage\":230.5},"
                                + "{\"power_active\":-600,\"current\":2.7,\"voltage\":231.0},"
                                + "{\"power_active\":-642,\"current\":2.8,\"voltage\":229.9}]}")),
                        map(k(Meter.GRID, Quantity.POWER), -1842.0, k(Meter.GRID, Quantity.POWER, PhaseRef.L3), -642.0,
                                k(Meter.GRID, Quantity.CURRENT, PhaseRef.L2), 2.7,
                                k(Meter.GRID, Quantity.VOLTAGE, PhaseRef.L1), 230.5)),
                new Case("Fronius bridge without phases", Inputs.settings("grid", "preset", "fronius", "device", "sm2"),
                        List.of(new Pub("fronius/meter/sm2/values", "{\"power_active\":-1842.0}")),
                        map(k(Meter.GRID, Quantity.POWER), -1842.0, k(Meter.GRID, Quantity.POWER, PhaseRef.L1), null,
                                k(Meter.GRID, Quantity.CURRENT, PhaseRef.L1), null)),
                new Case("Home Assistant statestream, kW", Inputs.settings("grid", "preset", "homeassistant",
                        "device", "grid_power", "meter", "grid", "quantity", "POWER", "scale", "1000"),
                        List.of(new Pub("homeassistant/sensor/grid_power/state", "1.25")),
                        map(k(Meter.GRID, Quantity.POWER), 1250.0)),
                new Case("Home Assistant statestream, unavailable", Inputs.settings("grid", "preset", "homeassistant",
                        "device", "grid_power", "meter", "grid"),
                        List.of(new Pub("homeassistant/sensor/grid_power/state", "1250"),
                                new Pub("homeassistant/sensor/grid_power/state", "unavailable")),
                        map(k(Meter.GRID, Quantity.POWER), null)),
                new Case("Zigbee2MQTT plug", Inputs.settings("plug", "preset", "zigbee2mqtt", "device", "garage_plug"),
                        List.of(new Pub("zigbee2mqtt/garage_plug", "{\"power\":55.3,\"energy\":12.5,"
                                + "\"linkquality\":120,\"state\":\"ON\"}")),
                        map(k(Meter.circuit("garage_plug"), Quantity.POWER), 55.3,
                                k(Meter.circuit("garage_plug"), Quantity.ENERGY), 12500.0)),
                new Case("generic lines, import/export pair and a triplet", Inputs.settings("meter", "preset", "generic",
                        "mapping.0", "grid POWER topic=meter/+/in import",
                        "mapping.1", "grid POWER topic=meter/+/out export",
                        "mapping.2", "building POWER L* topic=building/p{n} scale=1000 sum"),
                        List.of(new Pub("meter/main/in", "100"), new Pub("meter/main/out", "2100"),
                                new Pub("building/p1", "1"), new Pub("building/p2", "0.5"), new Pub("building/p3", "0.25")),
                        map(k(Meter.GRID, Quantity.POWER), -2000.0, k(Meter.BUILDING, Quantity.POWER), 1750.0,
                                k(Meter.BUILDING, Quantity.POWER, PhaseRef.L3), 250.0)));
    }

    /**
     * Publishes a blank payload (unknown for every mapping) on one of the
     * input's topics until the input sees it: proves the subscription is live
     * end to end. (Moquette may drop a connection that subscribes right after
     * its CONNACK; the gateway reconnects, and the probe waits for that.)
     *
     * @return the number of messages the input has seen
     */
    static long probe(MqttInput input) throws Exception {
        String topic = input.engine().filters().iterator().next().replace("+", "probe").replace("#", "probe");
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (input.engine().messages.sum() == 0 && System.nanoTime() < end) {
            device.publish(topic, " ");
            Thread.sleep(100);
        }
        assertThat(input.engine().messages.sum()).as("probe on " + topic).isPositive();
        Thread.sleep(100); // late probes still in flight arrive before the payloads
        return input.engine().messages.sum();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void presetReadsTheDevicesPayloads(Case c) throws Exception {
        SiteEnergyComponent model = new SiteEnergyComponent();
        BrokerConnection connection = new BrokerConnection(settings(broker, "gw"));
        MqttInput input = new MqttInput(c.settings(), 0, connection, model);
        try {
            long probes = probe(input);
            for (Pub p : c.pubs()) {
                device.publish(p.topic(), p.payload());
            }
            Await.until("every expected value of " + c.title(), Duration.ofSeconds(5), () -> {
                EnergySnapshot s = model.snapshot();
                return c.expected().entrySet().stream().allMatch(e -> e.getValue() == null
                        ? s.value(e.getKey()).isEmpty() && input.engine().messages.sum() >= probes + c.pubs().size()
                        : s.value(e.getKey()).isPresent()
                                && Math.abs(s.value(e.getKey()).getAsDouble() - e.getValue()) < 1e-9);
            });
            assertThat(input.engine().invalid.sum()).isZero();
        } finally {
            input.stop();
            connection.stop();
        }
        assertThat(model.snapshot().measurements()).as("an input that stops leaves its values unknown").isEmpty();
    }

    @Test
    void victronGetsItsKeepaliveOnConnectAndThenPeriodically() throws Exception {
        try (TestClient venus = new TestClient(broker).subscribe("R/+/keepalive", 0)) {
            SiteEnergyComponent model = new SiteEnergyComponent();
            BrokerConnection connection = new BrokerConnection(settings(broker, "gw"));
            MqttInput input = new MqttInput(Inputs.settings("venus", "preset", "victron", "device", "c0619ab1234"), 0,
                    connection, model);
            try {
                TestClient.Received r = venus.next("R/c0619ab1234/keepalive", 5000);
                assertThat(r).as("keepalive on connect").isNotNull();
                assertThat(Presets.build(Inputs.settings("v", "preset", "victron", "device", "x")).keepaliveEvery())
                        .isLessThanOrEqualTo(Duration.ofSeconds(60));
            } finally {
                input.stop();
                connection.stop();
            }
        }
    }
}
