package org.chargeedge.mqtt.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.chargeedge.api.energy.EnergySnapshot;
import org.chargeedge.api.energy.Freshness;
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

    /** A fronius-bridge meter message as its README shows it, three phases, measured now. */
    static String fronius(double power) {
        return "{\"time\":" + System.currentTimeMillis() + ",\"energy_active_import\":3521.847,"
                + "\"energy_active_export\":8042.113,\"power_active\":" + power + ",\"power_apparent\":1843.0,"
                + "\"power_factor\":-99.9,\"frequency\":50.0,\"voltage_ph\":230.5,\"voltage_pp\":399.2,"
                + "\"current\":8.1,\"phases\":["
                + "{\"id\":1,\"power_active\":-600,\"current\":2.6,\"voltage_ph\":230.5,\"voltage_pp\":399.0},"
                + "{\"id\":2,\"power_active\":-600,\"current\":2.7,\"voltage_ph\":231.0,\"voltage_pp\":399.5},"
                + "{\"id\":3,\"power_active\":-642,\"current\":2.8,\"voltage_ph\":229.9,\"voltage_pp\":398.9}]}";
    }

    static Stream<Case> cases() {
        String v = "N/c0619ab1234/system/0";
        return Stream.of(
                // OpenDTU docs (MQTT topics): ac/power W, ac/yieldtotal kWh, ac/yieldday Wh, ac/is_valid 0/1
                new Case("OpenDTU", Inputs.settings("pv", "preset", "opendtu", "topicPrefix", "solar"),
                        List.of(new Pub("solar/ac/is_valid", "1"), new Pub("solar/ac/power", "1234.5"),
                                new Pub("solar/ac/yieldtotal", "5432.1"), new Pub("solar/ac/yieldday", "8765"),
                                new Pub("solar/116190745467/0/power", "600.2")),
                        map(k(Meter.PV, Quantity.POWER), 1234.5, k(Meter.PV, Quantity.ENERGY), 5432100.0)),
                // AhoyDTU docs (MQTT, plain mode, its default): total/P_AC W, total/YieldTotal kWh
                new Case("AhoyDTU plain", Inputs.settings("pv", "preset", "ahoydtu"),
                        List.of(new Pub("inverter/total/P_AC", "812"), new Pub("inverter/total/YieldTotal", "1543.21"),
                                new Pub("inverter/total/YieldDay", "2100"), new Pub("inverter/HM-800/ch0/P_AC", "400")),
                        map(k(Meter.PV, Quantity.POWER), 812.0, k(Meter.PV, Quantity.ENERGY), 1543210.0)),
                new Case("AhoyDTU JSON", Inputs.settings("pv", "preset", "ahoydtu"),
                        List.of(new Pub("inverter/total", "{\"P_AC\":640.5,\"YieldTotal\":1234.5,\"YieldDay\":2100}")),
                        map(k(Meter.PV, Quantity.POWER), 640.5, k(Meter.PV, Quantity.ENERGY), 1234500.0)),
                // dbus-flashmq README (N/<portal>/<service>/<instance>/<path>, {"value": ..}, null = invalid) and
                // dbus-systemcalc-py README (/Ac/Grid/L1..L3/Power, /Ac/PvOnGrid/L1..L3/Power, /Dc/Pv/Power)
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
                new Case("Victron, single-phase site: L2 and L3 are null", Inputs.settings("venus", "preset",
                        "victron", "device", "c0619ab1234", "phases", "1"),
                        List.of(new Pub(v + "/Ac/Grid/L1/Power", "{\"value\": 1450}"),
                                new Pub(v + "/Ac/Grid/L2/Power", "{\"value\": null}"),
                                new Pub(v + "/Ac/Grid/L3/Power", "{\"value\": null}"),
                                new Pub(v + "/Ac/Grid/NumberOfPhases", "{\"value\": 1}"),
                                new Pub(v + "/Dc/Pv/Power", "{\"value\": 800}")),
                        map(k(Meter.GRID, Quantity.POWER), 1450.0, k(Meter.GRID, Quantity.POWER, PhaseRef.L1), 1450.0,
                                k(Meter.GRID, Quantity.POWER, PhaseRef.L2), null, k(Meter.PV, Quantity.POWER), 800.0)),
                new Case("Victron, two-phase site", Inputs.settings("venus", "preset", "victron", "device",
                        "c0619ab1234", "phases", "2"),
                        List.of(new Pub(v + "/Ac/Grid/L1/Power", "{\"value\": 1000}"),
                                new Pub(v + "/Ac/Grid/L2/Power", "{\"value\": -300}"),
                                new Pub(v + "/Ac/Grid/L3/Power", "{\"value\": null}")),
                        map(k(Meter.GRID, Quantity.POWER), 700.0, k(Meter.GRID, Quantity.POWER, PhaseRef.L3), null)),
                new Case("Victron, AC-coupled PV on L1 of a three-phase site", Inputs.settings("venus", "preset",
                        "victron", "device", "c0619ab1234", "pv", "ac"),
                        List.of(new Pub(v + "/Ac/PvOnGrid/L1/Power", "{\"value\": 2300}"),
                                new Pub(v + "/Ac/PvOnGrid/L2/Power", "{\"value\": null}"),
                                new Pub(v + "/Ac/PvOnGrid/L3/Power", "{\"value\": null}"),
                                new Pub(v + "/Ac/PvOnGrid/NumberOfPhases", "{\"value\": 1}")),
                        map(k(Meter.PV, Quantity.POWER), 2300.0)),
                new Case("Victron, pv=both is DC plus AC", Inputs.settings("venus", "preset", "victron", "device",
                        "c0619ab1234", "pv", "both"),
                        List.of(new Pub(v + "/Dc/Pv/Power", "{\"value\": 1500}"),
                                new Pub(v + "/Ac/PvOnGrid/L1/Power", "{\"value\": 1000}"),
                                new Pub(v + "/Ac/PvOnGrid/L2/Power", "{\"value\": 1000}"),
                                new Pub(v + "/Ac/PvOnGrid/L3/Power", "{\"value\": 1000}")),
                        map(k(Meter.PV, Quantity.POWER), 4500.0)),
                new Case("Victron, PV on the AC output as well", Inputs.settings("venus", "preset", "victron",
                        "device", "c0619ab1234", "pv", "dc,output", "phases", "1"),
                        List.of(new Pub(v + "/Dc/Pv/Power", "{\"value\": 400}"),
                                new Pub(v + "/Ac/PvOnOutput/L1/Power", "{\"value\": 600}")),
                        map(k(Meter.PV, Quantity.POWER), 1000.0)),
                new Case("Victron, no PV inverter answers: AC PV unknown, not 0", Inputs.settings("venus", "preset",
                        "victron", "device", "c0619ab1234", "pv", "ac"),
                        List.of(new Pub(v + "/Ac/PvOnGrid/L1/Power", "{\"value\": null}"),
                                new Pub(v + "/Ac/PvOnGrid/L2/Power", "{\"value\": null}"),
                                new Pub(v + "/Ac/PvOnGrid/L3/Power", "{\"value\": null}")),
                        map(k(Meter.PV, Quantity.POWER), null)),
                // Shelly Gen1 API docs (MQTT: shellies/<id>/emeter/<i>/power, current, voltage, total Wh)
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
                // Tasmota docs (Smart Meter Interface, tele/<topic>/SENSOR; SetOption52 adds the UTC offset to Time)
                new Case("Tasmota SML", Inputs.settings("grid", "preset", "tasmota", "device", "smartmeter"),
                        List.of(new Pub("tele/smartmeter/SENSOR", "{\"Time\":\"" + local(0, ISO) + "\",\"SML\":"
                                + "{\"Total_in\":12345.678,\"Total_out\":234.5,\"Power_curr\":-542}}")),
                        map(k(Meter.GRID, Quantity.POWER), -542.0, k(Meter.GRID, Quantity.ENERGY), 12345678.0)),
                new Case("Tasmota SML with SetOption52", Inputs.settings("grid", "preset", "tasmota", "device", "sm3"),
                        List.of(new Pub("tele/sm3/SENSOR", "{\"Time\":\"" + OffsetDateTime.now(ZoneOffset.ofHours(2))
                                .truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                                + "\",\"SML\":{\"Total_in\":12345.678,\"Power_curr\":-542}}")),
                        map(k(Meter.GRID, Quantity.POWER), -542.0)),
                // SBFspot wiki (MQTT: MQTT_Data fields, Timestamp local, dd/MM/yyyy by default)
                new Case("SBFspot (SMA)", Inputs.settings("sma", "preset", "sbfspot", "device", "2130012345"),
                        List.of(new Pub("sbfspot_2130012345", "{\"Timestamp\":\"" + local(3, SBFSPOT) + "\","
                                + "\"InvSerial\":2130012345,\"PACTot\":3456.0,\"EToday\":12.3,"
                                + "\"MeteringWTot\":-1200.0}")),
                        map(k(Meter.PV, Quantity.POWER), 3456.0, k(Meter.GRID, Quantity.POWER), -1200.0)),
                new Case("SBFspot (SMA), host clock 20 minutes behind: counts from arrival",
                        Inputs.settings("sma", "preset", "sbfspot", "device", "2130099999"),
                        List.of(new Pub("sbfspot_2130099999", "{\"TimeStamp\":\"" + local(20, SBFSPOT) + "\","
                                + "\"PACTot\":3456.0,\"MeteringWTot\":-1200.0}")),
                        map(k(Meter.PV, Quantity.POWER), 3456.0, k(Meter.GRID, Quantity.POWER), -1200.0)),
                // SMA-EM daemon README (features mqtt with pdetail: pconsume/psupply and p1consume..p3supply, W)
                new Case("SMA-EM daemon", Inputs.settings("grid", "preset", "smaem", "device", "1900123456"),
                        List.of(new Pub("SMA-EM/status/1900123456", "{\"pconsume\":0.0,\"psupply\":1830.5,"
                                + "\"p1consume\":0.0,\"p1supply\":610.2,\"p2consume\":12.0,\"p2supply\":0.0,"
                                + "\"p3consume\":0.0,\"p3supply\":1232.3}")),
                        map(k(Meter.GRID, Quantity.POWER), -1830.5, k(Meter.GRID, Quantity.POWER, PhaseRef.L1), -610.2,
                                k(Meter.GRID, Quantity.POWER, PhaseRef.L2), 12.0)),
                // fronius-bridge README (<topic>/meter/values; time epoch ms UTC; phases[].voltage_ph; retained)
                new Case("Fronius bridge", Inputs.settings("grid", "preset", "fronius", "device", "smartmeter"),
                        List.of(new Pub("fronius-bridge/meter/smartmeter/values", fronius(-1842.0))),
                        map(k(Meter.GRID, Quantity.POWER), -1842.0, k(Meter.GRID, Quantity.POWER, PhaseRef.L3), -642.0,
                                k(Meter.GRID, Quantity.CURRENT, PhaseRef.L2), 2.7,
                                k(Meter.GRID, Quantity.VOLTAGE, PhaseRef.L1), 230.5,
                                k(Meter.GRID, Quantity.ENERGY), 3521847.0)),
                new Case("Fronius bridge, older release without the meter name level",
                        Inputs.settings("grid", "preset", "fronius", "topicPrefix", "fronius"),
                        List.of(new Pub("fronius/meter/values", fronius(-500.0))),
                        map(k(Meter.GRID, Quantity.POWER), -500.0, k(Meter.GRID, Quantity.VOLTAGE, PhaseRef.L2), 231.0)),
                new Case("Fronius bridge, single-phase meter", Inputs.settings("grid", "preset", "fronius", "device",
                        "sm2", "phases", "1"),
                        List.of(new Pub("fronius-bridge/meter/sm2/values", "{\"time\":" + System.currentTimeMillis()
                                + ",\"power_active\":-1842.0,\"voltage_ph\":234.2,\"voltage_pp\":0.0,"
                                + "\"phases\":[{\"id\":1,\"power_active\":-1842.0,\"voltage_ph\":234.2,"
                                + "\"voltage_pp\":0.0,\"current\":7.864}]}")),
                        map(k(Meter.GRID, Quantity.POWER), -1842.0, k(Meter.GRID, Quantity.VOLTAGE, PhaseRef.L1), 234.2,
                                k(Meter.GRID, Quantity.VOLTAGE, PhaseRef.L2), null)),
                // Shelly Gen2 API docs (EM1 component, monophase profile: em1:0..2 with act_power, current, voltage)
                new Case("Shelly Pro 3EM, monophase profile", Inputs.settings("grid", "preset", "shellypro3em",
                        "topicPrefix", "pro3em-mono"),
                        List.of(new Pub("pro3em-mono/status/em1:0", "{\"id\":0,\"current\":2.1,\"voltage\":230.2,"
                                        + "\"act_power\":480.5,\"aprt_power\":490.0,\"pf\":0.98,\"freq\":50.0}"),
                                new Pub("pro3em-mono/status/em1:1", "{\"id\":1,\"current\":0.5,\"voltage\":231.0,"
                                        + "\"act_power\":-100.0}"),
                                new Pub("pro3em-mono/status/em1:2", "{\"id\":2,\"current\":1.0,\"voltage\":229.0,"
                                        + "\"act_power\":200.0}")),
                        map(k(Meter.GRID, Quantity.POWER), 580.5, k(Meter.GRID, Quantity.POWER, PhaseRef.L2), -100.0,
                                k(Meter.GRID, Quantity.VOLTAGE, PhaseRef.L3), 229.0)),
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
            long subscribed = c.pubs().stream().filter(p -> input.engine().filters().stream()
                    .anyMatch(f -> TopicFilter.of(f).matches(p.topic()))).count();
            Await.until("every expected value of " + c.title(), Duration.ofSeconds(5), () -> {
                EnergySnapshot s = model.snapshot();
                return c.expected().entrySet().stream().allMatch(e -> e.getValue() == null
                        ? s.value(e.getKey()).isEmpty() && input.engine().messages.sum() >= probes + subscribed
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

    /** An input on its own connection, as the gateway runs it; closed by the caller. */
    private record Running(SiteEnergyComponent model, BrokerConnection connection, MqttInput input)
            implements AutoCloseable {
        static Running start(InputSettings settings) throws Exception {
            return start(settings, true);
        }

        /** @param probe false where retained topics are waiting: a probe would overwrite what they replay */
        static Running start(InputSettings settings, boolean probe) throws Exception {
            SiteEnergyComponent model = new SiteEnergyComponent();
            BrokerConnection connection = new BrokerConnection(settings(broker, "gw"));
            MqttInput input = new MqttInput(settings, 0, connection, model);
            if (probe) {
                probe(input);
            }
            return new Running(model, connection, input);
        }

        EnergySnapshot snapshot() {
            return model.snapshot();
        }

        @Override
        public void close() {
            input.stop();
            connection.stop();
        }
    }

    private static final MeasurementKey PV = MeasurementKey.of(Meter.PV, Quantity.POWER);
    private static final MeasurementKey GRID = MeasurementKey.of(Meter.GRID, Quantity.POWER);

    /** OpenDTU docs: ac/is_valid is 0 while an inverter is unreachable; the last power is republished meanwhile. */
    @Test
    void anOpenDtuInverterGoingInvalidIsUnknownUntilValidAgain() throws Exception {
        try (Running r = Running.start(Inputs.settings("pv", "preset", "opendtu", "topicPrefix", "dtu1"))) {
            device.publish("dtu1/ac/is_valid", "1");
            device.publish("dtu1/ac/power", "500.0");
            Await.until("power", () -> r.snapshot().value(PV).isPresent());

            device.publish("dtu1/ac/is_valid", "0");
            Await.until("invalid", () -> r.snapshot().value(PV).isEmpty());
            long before = r.input().engine().messages.sum();
            device.publish("dtu1/ac/power", "500.0");
            device.publish("dtu1/ac/yieldtotal", "5432.1");
            Await.until("the republished values arrive", () -> r.input().engine().messages.sum() >= before + 2);
            assertThat(r.snapshot().value(PV)).as("the last power, republished while invalid").isEmpty();
            assertThat(r.snapshot().value(Meter.PV, Quantity.ENERGY)).isEmpty();
            assertThat(r.input().describe()).contains("invalid by the device's flag");

            device.publish("dtu1/ac/is_valid", "1");
            device.publish("dtu1/ac/power", "480.0");
            Await.until("valid again", () -> r.snapshot().value(PV).orElse(-1) == 480.0);
        }
    }

    /**
     * Tasmota docs: TelePeriod 300 and Timezone 1 (UTC+1, no summer time) by default, Time without an
     * offset. At the defaults and at UTC+2 the value is there, counted from its arrival, with the skew shown
     * and the grid warning telling what to set.
     */
    @Test
    void tasmotaAtItsDefaultsAndAtUtcPlus2IsReadWithItsSkewReported() throws Exception {
        for (int hours : new int[] {1, 2}) {
            String name = "tas" + hours;
            try (Running r = Running.start(Inputs.settings("grid", "preset", "tasmota", "device", name))) {
                assertThat(r.input().gridWarning()).contains("300 s").contains("TelePeriod 10");
                String time = LocalDateTime.now(ZoneOffset.ofHours(hours)).truncatedTo(ChronoUnit.SECONDS).format(ISO);
                device.publish("tele/" + name + "/SENSOR", "{\"Time\":\"" + time + "\",\"SML\":"
                        + "{\"Total_in\":12345.678,\"Power_curr\":" + (100 * hours) + "}}");
                Await.until("UTC+" + hours, () -> r.snapshot().value(GRID).orElse(-1) == 100.0 * hours);
                var m = r.snapshot().measurement(GRID).orElseThrow();
                assertThat(m.timing()).isEqualTo(org.chargeedge.api.energy.Measurement.Timing.RECEIVED);
                assertThat(m.staleAfter()).isEqualTo(Duration.ofSeconds(330));
                Duration expected = Duration.ofSeconds(ZoneOffset.ofHours(hours).getTotalSeconds()
                        - java.time.ZoneId.systemDefault().getRules().getOffset(java.time.Instant.now())
                        .getTotalSeconds());
                assertThat(m.clockSkew()).isNotNull();
                assertThat(m.clockSkew().minus(expected).abs()).isLessThan(Duration.ofSeconds(5));
                assertThat(r.input().describe()).contains("device clock");
            }
        }
    }

    /**
     * After a gateway restart, retained topics of a device that died earlier replay old values: OpenDTU and
     * Zigbee2MQTT (no time) are of unknown age, fronius-bridge (epoch time, trusted) is stale; none is a value.
     * A live message from the device makes its value fresh again.
     */
    @Test
    void aRestartWithRetainedTopicsFromADeadDeviceGivesNoValues() throws Exception {
        MeasurementKey plug = MeasurementKey.of(Meter.circuit("dead_plug"), Quantity.POWER);
        // the devices publish retained while the first gateway runs, then die
        try (Running pv = Running.start(Inputs.settings("pv", "preset", "opendtu", "topicPrefix", "dead1"))) {
            device.publish("dead1/ac/power", "700", 1, true);
            Await.until("live value", () -> pv.snapshot().value(PV).isPresent());
        }
        device.publish("zigbee2mqtt/dead_plug", "{\"power\":55.3,\"energy\":12.5}", 1, true);
        device.publish("dead-fronius/meter/values", fronius(-300).replaceFirst("\"time\":\\d+",
                "\"time\":" + (System.currentTimeMillis() - 3_600_000)), 1, true);

        // the restarted gateway: new connections, new inputs
        try (Running pv = Running.start(Inputs.settings("pv", "preset", "opendtu", "topicPrefix", "dead1"), false);
             Running z = Running.start(Inputs.settings("plug", "preset", "zigbee2mqtt", "device", "dead_plug"), false);
             Running f = Running.start(Inputs.settings("grid", "preset", "fronius", "topicPrefix", "dead-fronius"),
                     false)) {
            Await.until("retained OpenDTU power", () -> pv.snapshot().freshness(PV) == Freshness.AGE_UNKNOWN);
            Await.until("retained plug power", () -> z.snapshot().freshness(plug) == Freshness.AGE_UNKNOWN);
            Await.until("retained fronius power", () -> f.snapshot().freshness(GRID) == Freshness.STALE);
            assertThat(pv.snapshot().value(PV)).isEmpty();
            assertThat(pv.snapshot().withheld().get(PV).value()).isEqualTo(700.0);
            assertThat(z.snapshot().value(plug)).isEmpty();
            assertThat(f.snapshot().value(GRID)).isEmpty();
            assertThat(pv.input().describe()).contains("retained values of unknown age");
            assertThat(SiteDocuments.site(pv.snapshot()).get("age_unknown").toString()).contains("pv_power");

            device.publish("dead1/ac/power", "650");
            Await.until("a live message confirms", () -> pv.snapshot().freshness(PV) == Freshness.FRESH);
            assertThat(pv.snapshot().value(PV)).hasValue(650.0);
        } finally {
            for (String t : List.of("dead1/ac/power", "zigbee2mqtt/dead_plug", "dead-fronius/meter/values")) {
                device.publish(t, "", 1, true);
            }
        }
    }

    /**
     * Shelly Gen2 API docs: with only RPC notifications, NotifyStatus carries the fields that changed. A
     * voltage no frame repeats stays known while the meter keeps notifying, and expires when it stops.
     */
    @Test
    void shellyProPartialNotificationsKeepUnchangedValuesWhileTheMeterIsAlive() throws Exception {
        MeasurementKey voltage = new MeasurementKey(Meter.GRID, Quantity.VOLTAGE, PhaseRef.L1);
        try (Running r = Running.start(Inputs.settings("grid", "preset", "shellypro3em", "topicPrefix", "pro3",
                "staleAfter", "2"))) {
            device.publish("pro3/events/rpc", "{\"src\":\"pro3\",\"dst\":\"pro3/events\",\"method\":"
                    + "\"NotifyStatus\",\"params\":{\"ts\":1700000000.1,\"em:0\":{\"id\":0,\"a_voltage\":230.1,"
                    + "\"a_act_power\":900.0,\"total_act_power\":950.0}}}");
            Await.until("voltage", () -> r.snapshot().value(voltage).isPresent());
            long end = System.nanoTime() + Duration.ofMillis(3500).toNanos();
            int n = 0;
            while (System.nanoTime() < end) {
                device.publish("pro3/events/rpc", "{\"method\":\"NotifyStatus\",\"params\":{\"em:0\":"
                        + "{\"id\":0,\"total_act_power\":" + (950 + n++) + "}}}");
                Thread.sleep(300);
            }
            assertThat(r.snapshot().value(voltage)).as("not repeated for 3.5 s, timeout 2 s").hasValue(230.1);
            Await.until("expired once the meter is silent", Duration.ofSeconds(4),
                    () -> r.snapshot().value(voltage).isEmpty());
        }
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
                assertThat(r.payload()).as("the first one asks for every topic").isEmpty();
                Presets.Plan plan = Presets.build(Inputs.settings("v", "preset", "victron", "device", "x"));
                assertThat(plan.keepaliveEvery()).isLessThanOrEqualTo(Duration.ofSeconds(60));
                // dbus-flashmq README: later keepalives need not make the GX republish everything
                assertThat(plan.keepaliveNext()).isEqualTo("{\"keepalive-options\":[\"suppress-republish\"]}");
            } finally {
                input.stop();
                connection.stop();
            }
        }
    }
}
