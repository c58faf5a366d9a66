package org.chargeedge.mqtt.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.chargeedge.api.energy.Measurement;
import org.chargeedge.api.energy.MeasurementKey;
import org.chargeedge.api.energy.MeasurementSink;
import org.chargeedge.api.energy.Meter;
import org.chargeedge.api.energy.Quantity;
import org.chargeedge.energy.internal.SiteEnergyComponent;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Prints figures, asserts nothing (see docs/benchmarks.md for the command):
 * <ol>
 * <li>parse and apply on one thread, no broker: messages/s into the real
 *     energy model, for plain text (OpenDTU) and JSON with ten values per
 *     message (Shelly Pro 3EM NotifyStatus);</li>
 * <li>through a real broker (Moquette in this JVM): a device client
 *     publishes at a fixed rate, and the time from its publish call to the
 *     value being visible in the model's snapshot is measured per message.</li>
 * </ol>
 */
public final class MqttInputBenchmark {

    private MqttInputBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        System.out.printf("java %s, %d processors%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
        parseAndApply();
        throughBroker(rate, seconds);
        System.exit(0);
    }

    private static void parseAndApply() {
        SiteEnergyComponent model = new SiteEnergyComponent();
        MappingEngine text = new MappingEngine("opendtu",
                Presets.build(Inputs.settings("pv", "preset", "opendtu")).mappings(), model, Clock.systemUTC());
        MappingEngine json = new MappingEngine("pro3em",
                Presets.build(Inputs.settings("grid", "preset", "shellypro3em", "topicPrefix", "pro3em")).mappings(), model,
                Clock.systemUTC());
        byte[][] texts = new byte[1000][];
        byte[][] notifications = new byte[1000][];
        for (int i = 0; i < 1000; i++) {
            texts[i] = String.valueOf(1000 + i * 0.5).getBytes(UTF_8);
            notifications[i] = ("{\"src\":\"pro3em\",\"dst\":\"pro3em/events\",\"method\":\"NotifyStatus\",\"params\":"
                    + "{\"ts\":1700000000.12,\"em:0\":{\"id\":0,\"a_current\":4." + i + ",\"a_voltage\":230.1,"
                    + "\"a_act_power\":" + (900 + i) + ".0,\"b_current\":1.2,\"b_voltage\":231.0,\"b_act_power\":-100.0,"
                    + "\"c_current\":0.5,\"c_voltage\":229.8,\"c_act_power\":50.0,\"total_act_power\":" + (850 + i)
                    + ".0,\"total_current\":6.2}}}").getBytes(UTF_8);
        }
        for (String[] c : new String[][] {{"text", "solar/ac/power"}, {"json", "pro3em/events/rpc"}}) {
            MappingEngine e = c[0].equals("text") ? text : json;
            byte[][] payloads = c[0].equals("text") ? texts : notifications;
            run(e, c[1], payloads, Duration.ofSeconds(2)); // warm-up
            long values0 = e.values.sum();
            long n = run(e, c[1], payloads, Duration.ofSeconds(5));
            long values = e.values.sum() - values0;
            System.out.printf("parse+apply %-28s %,12.0f messages/s  (%,.0f values/s, one thread)%n",
                    c[0].equals("text") ? "plain text (OpenDTU)" : "JSON, 10 values (Pro 3EM)", n / 5.0, values / 5.0);
        }
    }

    private static long run(MappingEngine e, String topic, byte[][] payloads, Duration d) {
        long end = System.nanoTime() + d.toNanos();
        long n = 0;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 100; i++) {
                e.onMessage(topic, payloads[(int) (n++ % payloads.length)]);
            }
        }
        return n;
    }

    /** Sequence numbers as values: the sink notes when each became visible. */
    private static final class TimingSink implements MeasurementSink {
        final SiteEnergyComponent model = new SiteEnergyComponent();
        final long[] visibleAt;
        static final MeasurementKey KEY = MeasurementKey.of(Meter.GRID, Quantity.POWER);

        TimingSink(int n) {
            visibleAt = new long[n];
        }

        @Override
        public void accept(Measurement m) {
            model.accept(m);
            // visible = a consumer's snapshot holds it
            if (model.snapshot().value(KEY).orElse(-1) == m.value()) {
                int seq = (int) m.value();
                if (seq >= 0 && seq < visibleAt.length) {
                    visibleAt[seq] = System.nanoTime();
                }
            }
        }

        @Override
        public void unknown(MeasurementKey key, String source) {
            model.unknown(key, source);
        }
    }

    private static void throughBroker(int rate, int seconds) throws Exception {
        try (EmbeddedBroker broker = new EmbeddedBroker()) {
            int n = rate * seconds;
            TimingSink sink = new TimingSink(n);
            BrokerConnection connection = new BrokerConnection(new ConnectionSettings(broker.url(), "", "",
                    "bench-gw", true, "bench", 30, Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofSeconds(1)));
            MqttInput input = new MqttInput(Inputs.settings("meter", "preset", "generic",
                    "mapping.0", "grid POWER topic=meter/power"), 0, connection, sink);
            while (!connection.connected()) {
                Thread.sleep(10);
            }
            Thread.sleep(300);
            MqttClient device = new MqttClient(broker.url(), "bench-device-" + UUID.randomUUID(), new MemoryPersistence());
            MqttConnectOptions o = new MqttConnectOptions();
            o.setMaxInflight(65535);
            device.connect(o);
            long[] sentAt = new long[n];
            long period = TimeUnit.SECONDS.toNanos(1) / rate;
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                long due = start + i * period;
                while (System.nanoTime() < due) {
                    LockSupport.parkNanos(Math.max(1000, due - System.nanoTime() - 50_000));
                }
                // open loop: latency counted from when the message was due, so a stalled sender shows up
                sentAt[i] = due;
                MqttMessage m = new MqttMessage(String.valueOf(i).getBytes(UTF_8));
                m.setQos(0);
                device.publish("meter/power", m);
            }
            long sentEnd = System.nanoTime();
            Thread.sleep(1000);
            long[] lat = new long[n];
            int seen = 0;
            for (int i = 0; i < n; i++) {
                if (sink.visibleAt[i] != 0) {
                    lat[seen++] = sink.visibleAt[i] - sentAt[i];
                }
            }
            long[] l = Arrays.copyOf(lat, seen);
            Arrays.sort(l);
            int skip = Math.min(seen, rate); // first second is warm-up
            long[] w = Arrays.copyOfRange(lat, skip, seen);
            Arrays.sort(w);
            System.out.printf("broker round trip at %,d msg/s for %d s: %,d sent in %.2f s, %,d visible, %,d lost%n",
                    rate, seconds, n, (sentEnd - start) / 1e9, seen, n - seen);
            System.out.printf("publish-to-visible latency (after 1 s warm-up): p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, "
                    + "max %.2f ms%n", pct(w, 50), pct(w, 99), pct(w, 99.9), w.length == 0 ? 0 : w[w.length - 1] / 1e6);
            System.out.printf("input counters: %s%n", input.describe().lines().findFirst().orElse(""));
            device.disconnect();
            device.close();
            input.stop();
            connection.stop();
        }
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1);
        return sorted[Math.max(0, i)] / 1e6;
    }
}
