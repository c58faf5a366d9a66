package org.chargeedge.mqtt.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import org.chargeedge.api.balancer.BalancerModes.Target;
import org.chargeedge.api.balancer.BalancerStatus.Connector;
import org.chargeedge.api.balancer.BalancerStatus.ReasonKind;
import org.chargeedge.api.balancer.ChargingMode;
import org.chargeedge.api.mqtt.MqttStatus;
import org.chargeedge.balancer.internal.TestBalancer;
import org.chargeedge.centralsystem.internal.CentralSystemHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A price series published on a real broker (Moquette), read by {@link PriceInput} through the gateway's broker
 * connection, and the real balancer over the real central system planning a Scheduled session in its cheapest
 * hours. The grid leaves 20 A to the one charger; the configured tariff is a flat 0.30 per kWh.
 */
class PricesOverMqttTest {

    static final String TOPIC = "energy/prices";

    @TempDir
    Path dir;
    private EmbeddedBroker broker;
    private BrokerConnection connection;
    private CentralSystemHarness centralSystem;
    private TestBalancer balancer;
    private PriceInput prices;

    private void start(Duration maxAge) throws Exception {
        broker = new EmbeddedBroker();
        connection = new BrokerConnection(PresetsOverBrokerTest.settings(broker, "depot"));
        Await.until("connected", connection::connected);
        prices = new PriceInput(() -> new PriceInput.Settings(TOPIC, new PricePayload.Format(0.001,
                Duration.ofHours(1), Duration.ofHours(1)), maxAge, 1), connection, Clock.systemUTC());
        centralSystem = new CentralSystemHarness(dir);
        balancer = new TestBalancer(centralSystem.siteView(), centralSystem.commands(), Map.of("gridLimitA", 40.0,
                "safeBudgetA", 20.0, "siteConnectors", 1, "minIntervalMillis", 50, "rampUpStepA", 32.0,
                "tariffDefaultPrice", 0.30, "tariffTimeZone", "UTC"));
        balancer.usePrices(prices);
        balancer.connectCharger(centralSystem.url("CP-1"), "CP-1");
        Thread.sleep(200); // SUBACK
    }

    @AfterEach
    void stop() throws Exception {
        if (prices != null) {
            prices.stop();
        }
        if (balancer != null) {
            balancer.close();
        }
        if (centralSystem != null) {
            centralSystem.close();
        }
        if (connection != null) {
            connection.stop();
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** aWATTar's shape: hourly, epoch milliseconds, EUR per MWh; 300 everywhere but the hours given. */
    static String series(Instant from, Map<Integer, Double> cheap) {
        StringBuilder out = new StringBuilder("{\"object\":\"list\",\"data\":[");
        for (int h = 0; h < 12; h++) {
            Instant s = from.plus(Duration.ofHours(h));
            out.append(h == 0 ? "" : ",").append("{\"start_timestamp\":").append(s.toEpochMilli())
                    .append(",\"end_timestamp\":").append(s.plus(Duration.ofHours(1)).toEpochMilli())
                    .append(",\"marketprice\":").append(cheap.getOrDefault(h, 300.0)).append(",\"unit\":\"Eur/MWh\"}");
        }
        return out.append("]}").toString();
    }

    @Test
    void aScheduledSessionChargesInTheCheapestHoursOfTheSeriesFromTheBroker() throws Exception {
        start(Duration.ofHours(24));
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS);
        try (TestClient market = new TestClient(broker)) {
            // this hour is the cheapest
            market.publish(TOPIC, series(hour, Map.of(0, 10.0, 3, 50.0)));
            Await.until("the series", () -> prices.series().isPresent());
            assertThat(prices.series().orElseThrow().intervals()).hasSize(12);
            // a third of an hour at 20 A, in the cheapest hour, which is now
            startScheduled();
            assertThat(limit()).isEqualTo(20);
            assertThat(balancer.service.site().orElseThrow().priceSource())
                    .startsWith("price series from MQTT energy/prices, 12 prices until "
                            + hour.plus(Duration.ofHours(12)));

            // the market's next series makes the hour three hours ahead the cheapest: it waits for it
            market.publish(TOPIC, series(hour, Map.of(3, 50.0, 4, 80.0)));
            Await.until("waits for the cheapest hour", () -> limit() == 0);
            Connector c = balancer.service.connector("CP-1", 1).orElseThrow();
            assertThat(c.reasonKind()).isEqualTo(ReasonKind.SCHEDULED_WAITING);
            assertThat(c.reason()).startsWith("scheduled: waits for the window at 0.050/kWh, starts in ");
            Instant received = prices.series().orElseThrow().receivedAt();

            // a malformed series is refused, counted and logged; the good one stays and is used
            market.publish(TOPIC, "{\"data\":[{\"start_timestamp\":\"soon\",\"marketprice\":1}]}");
            market.publish(TOPIC, "[]");
            Await.until("both refused", () -> prices.rejected() == 2);
            assertThat(prices.messages()).isEqualTo(4);
            assertThat(prices.series().orElseThrow().receivedAt()).isEqualTo(received);
            MqttStatus.Input status = input();
            assertThat(status.stale()).isFalse();
            assertThat(status.topics()).containsExactly(TOPIC);
            assertThat(status.messages()).isEqualTo(4);
            assertThat(status.warning()).isEqualTo("2 payloads rejected, last: no prices in the payload");
            assertThat(prices.describe()).startsWith(TOPIC + ": 4 messages, 2 rejected; 12 prices ")
                    .contains(", in use");
            Thread.sleep(300);
            assertThat(balancer.service.connector("CP-1", 1).orElseThrow().reason())
                    .startsWith("scheduled: waits for the window at 0.050/kWh");
        }
    }

    @Test
    void aStaleSeriesIsNotUsedAndTheTariffHolds() throws Exception {
        // trusted for one second only: stale long before the cheap hour
        start(Duration.ofSeconds(1));
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS);
        try (TestClient market = new TestClient(broker)) {
            market.publish(TOPIC, series(hour, Map.of(3, 50.0)));
            Await.until("the series", () -> prices.series().isPresent());
            Thread.sleep(1200);
            startScheduled(); // one flat price: it charges now
            assertThat(limit()).isEqualTo(20);
            assertThat(balancer.service.site().orElseThrow().priceSource())
                    .startsWith("tariff: 0.300/kWh (price series from MQTT energy/prices not used: stale: received ")
                    .endsWith("older than 1 s)");
            MqttStatus.Input status = input();
            assertThat(status.stale()).isTrue();
            assertThat(status.warning()).startsWith("the series is stale (received ").endsWith(": the tariff is used");
            assertThat(prices.describe()).contains(", NOT used");
        }
    }

    @Test
    void aWrongConfigurationIsReportedAndSubscribesToNothing() throws Exception {
        broker = new EmbeddedBroker();
        connection = new BrokerConnection(PresetsOverBrokerTest.settings(broker, "depot"));
        prices = new PriceInput(() -> {
            throw new IllegalArgumentException("topic: not set (the topic the prices are published on)");
        }, connection, Clock.systemUTC());
        assertThat(prices.problem()).startsWith("topic: not set");
        assertThat(prices.series()).isEmpty();
        MqttStatus.Input status = MqttStatusService.prices(prices, Instant.now());
        assertThat(status.problem()).startsWith("topic: not set");
        assertThat(prices.describe()).startsWith("not running: topic: not set");
    }

    /** A session on CP-1, charging, then Scheduled: 5 kWh by ten hours from now; returns after a few runs. */
    private void startScheduled() throws Exception {
        balancer.startSession("CP-1");
        Await.until("charging", () -> limit() == 20);
        balancer.service.setSessionMode("CP-1", 1, ChargingMode.SCHEDULED,
                new Target(Instant.now().plus(Duration.ofHours(10)), 5_000)).toCompletableFuture().get();
        Await.until("scheduled", () -> balancer.service.connector("CP-1", 1).orElseThrow().mode()
                == ChargingMode.SCHEDULED);
        Thread.sleep(300);
    }

    private MqttStatus.Input input() {
        MqttStatusService service = new MqttStatusService(connection, null, List.of(), Clock.systemUTC());
        service.prices(prices);
        return service.connection().inputs().stream().filter(i -> i.name().equals("prices")).findFirst()
                .orElseThrow();
    }

    private double limit() {
        return balancer.service.connector("CP-1", 1).map(Connector::limitA).orElse(-1.0);
    }

}
