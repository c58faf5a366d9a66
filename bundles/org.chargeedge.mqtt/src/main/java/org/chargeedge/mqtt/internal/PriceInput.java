package org.chargeedge.mqtt.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.chargeedge.api.energy.PriceForecast;
import org.chargeedge.api.energy.PriceSeries;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dynamic price series from an MQTT topic ({@link PricePayload} reads it), offered as {@link PriceForecast}.
 * A payload that cannot be read, or whose prices all lie in the past, is rejected with a warning and counted; it
 * never replaces the last good series.
 *
 * <p>Threads: the client's callback thread receives the messages and alone writes the fields below (volatile,
 * or atomic counters); readers (the balancer, the status, the shell) take them on their own threads.
 */
@Component(service = {PriceForecast.class, PriceInput.class}, configurationPid = PriceInput.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true)
@Designate(ocd = PriceConfig.class)
public class PriceInput implements PriceForecast {

    static final String PID = "org.chargeedge.mqtt.prices";
    private static final Logger LOG = LoggerFactory.getLogger(PriceInput.class);

    /** The configuration, read; null when it is wrong ({@link #problem}). */
    record Settings(String topic, PricePayload.Format format, Duration maxAge, int qos) {

        static Settings from(PriceConfig c) {
            if (c.topic() == null || c.topic().isBlank()) {
                throw new IllegalArgumentException("topic: not set (the topic the prices are published on)");
            }
            if (c.maxAgeHours() < 1 || c.currentPriceMinutes() < 1 || c.intervalMinutes() < 1) {
                throw new IllegalArgumentException("maxAgeHours, currentPriceMinutes and intervalMinutes are at "
                        + "least 1");
            }
            if (c.qos() < 0 || c.qos() > 2) {
                throw new IllegalArgumentException("qos: " + c.qos() + " is not 0, 1 or 2");
            }
            return new Settings(c.topic().strip(), new PricePayload.Format(PricePayload.perKwh(c.unit()),
                    Duration.ofMinutes(c.intervalMinutes()), Duration.ofMinutes(c.currentPriceMinutes())),
                    Duration.ofHours(c.maxAgeHours()), c.qos());
        }
    }

    private final Settings settings;
    private final String problem;
    private final Clock clock;
    private final MqttBus.Handle handle;

    // ---- written by the client's callback thread ----
    private volatile PriceSeries series;
    private volatile Instant lastMessageAt;
    private volatile String lastRejection;
    private final AtomicLong messages = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();

    @Activate
    public PriceInput(PriceConfig config, @Reference MqttBus bus) {
        this(() -> Settings.from(config), bus, Clock.systemUTC());
    }

    PriceInput(java.util.function.Supplier<Settings> settings, MqttBus bus, Clock clock) {
        this.clock = clock;
        Settings s;
        String error;
        try {
            s = settings.get();
            error = null;
        } catch (IllegalArgumentException e) {
            // a bad configuration must not take anything else down: say what is wrong and stay idle
            LOG.error("MQTT prices ({}): {}", PID, e.getMessage());
            s = null;
            error = e.getMessage();
        }
        this.settings = s;
        this.problem = error;
        this.handle = s == null ? null : bus.subscribe(s.topic(), s.qos(), this::onMessage);
        if (s != null) {
            LOG.info("MQTT prices: reading {} (a series is used for at most {} h)", s.topic(), s.maxAge().toHours());
        }
    }

    @Deactivate
    void stop() {
        if (handle != null) {
            handle.close();
        }
    }

    /** A message on the topic. The client's callback thread: parses, never blocks. */
    void onMessage(String topic, byte[] payload, boolean retained) {
        Instant now = clock.instant();
        messages.incrementAndGet();
        lastMessageAt = now;
        List<PriceSeries.Interval> intervals;
        try {
            intervals = PricePayload.parse(payload, now, settings.format());
            PriceSeries next = new PriceSeries(intervals, now, now.plus(settings.maxAge()), "MQTT " + topic);
            if (!next.end().isAfter(now)) {
                throw new IllegalArgumentException("every price is in the past (the last ends at " + next.end() + ")");
            }
            series = next;
            LOG.debug("MQTT prices: {} prices from {} to {}", intervals.size(), next.start(), next.end());
        } catch (IllegalArgumentException e) {
            long n = rejected.incrementAndGet();
            lastRejection = e.getMessage();
            PriceSeries kept = series;
            LOG.warn("MQTT prices: payload on {} rejected ({} so far): {}; {}", topic, n, e.getMessage(),
                    kept == null ? "no series yet" : "the series received " + kept.receivedAt() + " is kept");
        }
    }

    @Override
    public Optional<PriceSeries> series() {
        return Optional.ofNullable(series);
    }

    /** Why it does not run (its configuration is wrong), or null while it runs. */
    String problem() {
        return problem;
    }

    String topic() {
        return settings == null ? null : settings.topic();
    }

    Duration maxAge() {
        return settings == null ? Duration.ZERO : settings.maxAge();
    }

    long messages() {
        return messages.get();
    }

    long rejected() {
        return rejected.get();
    }

    Instant lastMessageAt() {
        return lastMessageAt;
    }

    /** Whether the balancer can use the series now: one arrived, is not older than maxAgeHours, and has not ended. */
    boolean usable() {
        PriceSeries s = series;
        return s != null && s.usableAt(clock.instant());
    }

    /** Empty, or what an operator should know: payloads rejected, the series stale or ended. */
    String warning() {
        StringBuilder w = new StringBuilder();
        PriceSeries s = series;
        Instant now = clock.instant();
        if (s != null && !s.usableAt(now)) {
            w.append(now.isBefore(s.validUntil()) ? "the series ended at " + s.end()
                    : "the series is stale (received " + s.receivedAt() + ")").append(": the tariff is used");
        }
        long n = rejected.get();
        if (n > 0) {
            w.append(w.length() > 0 ? "; " : "").append(n).append(" payloads rejected, last: ").append(lastRejection);
        }
        return w.toString();
    }

    /** One line for the shell. */
    String describe() {
        if (settings == null) {
            return "not running: " + problem;
        }
        PriceSeries s = series;
        String warning = warning();
        return settings.topic() + ": " + messages.get() + " messages, " + rejected.get() + " rejected; "
                + (s == null ? "no series yet" : s.intervals().size() + " prices " + s.start() + " to " + s.end()
                + ", received " + s.receivedAt() + (usable() ? ", in use" : ", NOT used"))
                + (warning.isEmpty() ? "" : "\n    " + warning);
    }
}
