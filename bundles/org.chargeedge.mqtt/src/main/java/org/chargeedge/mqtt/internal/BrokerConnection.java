package org.chargeedge.mqtt.internal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import javax.net.ssl.SSLSocketFactory;

import org.chargeedge.tls.TlsFileException;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's connection to its MQTT broker (Eclipse Paho, MQTT 3.1.1).
 * Connects on its own timer thread, retries forever with exponential backoff
 * and jitter, renews every subscription after a reconnect, and leaves a
 * retained last will {@code BASE/status = offline}; {@code online} is
 * published (retained) on every connect.
 *
 * <p>Threads: one timer thread ({@code chargeedge-mqtt}) connects, runs the
 * connect hooks and periodic tasks; Paho's callback thread delivers messages
 * to the listeners. Subscriptions and hooks are immutable lists in volatile
 * fields, replaced under this object's lock.
 */
@Component(service = {MqttBus.class, BrokerConnection.class}, configurationPid = BrokerConnection.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true)
@Designate(ocd = ConnectionConfig.class)
public class BrokerConnection implements MqttBus {

    static final String PID = "org.chargeedge.mqtt";
    private static final Logger LOG = LoggerFactory.getLogger(BrokerConnection.class);

    private record Sub(TopicFilter filter, int qos, MessageListener listener) {}

    /** What the shell shows. */
    record State(String serverUri, boolean connected, Instant since, String lastError, Instant lastErrorAt,
                 int failedAttempts, long received, long published, long dropped, List<String> subscriptions) {}

    private final ConnectionSettings settings;
    private final ScheduledExecutorService timer;
    private final MqttAsyncClient client;
    /** From the TLS files; null for Paho's default. */
    private final SSLSocketFactory sslSocketFactory;

    private volatile List<Sub> subs = List.of();
    private volatile List<Runnable> hooks = List.of();
    private volatile boolean connected;
    private volatile boolean stopped;
    private volatile Instant since;
    private volatile String lastError;
    private volatile Instant lastErrorAt;
    /** Timer thread only. */
    private int failedAttempts;
    private String lastLoggedError;

    private final LongAdder received = new LongAdder();
    private final LongAdder published = new LongAdder();
    private final LongAdder dropped = new LongAdder();

    @Activate
    public BrokerConnection(ConnectionConfig config) {
        this(settings(config));
    }

    BrokerConnection(ConnectionSettings settings) {
        this.settings = settings;
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "chargeedge-mqtt");
            th.setDaemon(true);
            return th;
        });
        t.setRemoveOnCancelPolicy(true);
        this.timer = t;
        if (settings.serverUri() == null) {
            // quiet by design: a gateway without a broker is a normal site
            LOG.info("MQTT: no broker configured (set url, or host, in {} or CHARGEEDGE_MQTT_URL)", PID);
            this.client = null;
            this.sslSocketFactory = null;
            return;
        }
        MqttAsyncClient c;
        SSLSocketFactory f;
        try {
            f = socketFactory(settings);
            c = new MqttAsyncClient(settings.serverUri(), settings.clientId(), new MemoryPersistence());
        } catch (MqttException | IllegalArgumentException | TlsFileException e) {
            LOG.error("MQTT: cannot use broker {}: {}", settings.serverUri(), e.toString());
            lastError = e.toString();
            this.client = null;
            this.sslSocketFactory = null;
            return;
        }
        this.client = c;
        this.sslSocketFactory = f;
        c.setCallback(new Callback());
        LOG.info("MQTT: connecting to {} as {}", settings.serverUri(), settings.clientId());
        timer.execute(this::connect);
    }

    static ConnectionSettings settings(ConnectionConfig c) {
        String clientId = c.clientId().isBlank() ? "chargeedge-" + UUID.randomUUID().toString().substring(0, 8)
                : c.clientId().strip();
        String base = c.baseTopic().strip();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return new ConnectionSettings(ConnectionSettings.serverUri(c.url(), c.host(), c.port(), c.tls()),
                c.username(), c.password(), clientId, c.cleanSession(), base.isEmpty() ? "chargeedge" : base,
                c.keepAlive(), Duration.ofSeconds(c.connectTimeout()), Duration.ofMillis(c.minBackoffMillis()),
                Duration.ofSeconds(c.maxBackoffSeconds()), new TlsFiles(c.tlsCaFile(), c.tlsCertFile(), c.tlsKeyFile()));
    }

    /** A socket factory from the TLS files, for ssl:// with files; else null (Paho's default). */
    static SSLSocketFactory socketFactory(ConnectionSettings s) throws TlsFileException {
        if (!s.tls().configured()) {
            return null;
        }
        if (!s.serverUri().startsWith("ssl://")) {
            LOG.warn("MQTT: {} is not ssl://: the TLS files are not used", s.serverUri());
            return null;
        }
        return s.tls().context().getSocketFactory();
    }

    @Deactivate
    void stop() {
        stopped = true;
        timer.shutdownNow();
        if (client == null) {
            return;
        }
        try {
            if (client.isConnected()) {
                // an orderly goodbye: the broker sends the will only on a broken connection
                client.publish(settings.statusTopic(), bytes("offline"), 1, true).waitForCompletion(1000);
                client.disconnect(1000).waitForCompletion(2000);
            }
        } catch (MqttException e) {
            LOG.debug("MQTT: disconnect: {}", e.toString());
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            LOG.debug("MQTT: close: {}", e.toString());
        }
        connected = false;
    }

    private void connect() {
        if (stopped || client.isConnected()) {
            return;
        }
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(settings.cleanSession());
        o.setKeepAliveInterval(settings.keepAliveSeconds());
        o.setConnectionTimeout((int) Math.max(1, settings.connectTimeout().toSeconds()));
        o.setAutomaticReconnect(false);
        o.setMaxInflight(1000);
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        if (!settings.username().isBlank()) {
            o.setUserName(settings.username());
            o.setPassword(settings.password().toCharArray());
        }
        o.setWill(settings.statusTopic(), bytes("offline"), 1, true);
        if (sslSocketFactory != null) {
            o.setSocketFactory(sslSocketFactory);
        }
        try {
            client.connect(o).waitForCompletion(settings.connectTimeout().toMillis() + 1000);
        } catch (MqttException e) {
            failed(describe(e));
            return;
        }
        if (stopped) {
            return;
        }
        if (failedAttempts > 0) {
            LOG.info("MQTT: connected to {} after {} failed attempts", settings.serverUri(), failedAttempts);
        } else {
            LOG.info("MQTT: connected to {}", settings.serverUri());
        }
        failedAttempts = 0;
        lastLoggedError = null;
        since = Instant.now();
        connected = true;
        resubscribe();
        publish(settings.statusTopic(), bytes("online"), 1, true);
        for (Runnable hook : hooks) {
            runSafely(hook, "connect hook");
        }
    }

    private void failed(String error) {
        connected = false;
        lastError = error;
        lastErrorAt = Instant.now();
        failedAttempts++;
        long min = settings.minBackoff().toMillis();
        long delay = Math.min(settings.maxBackoff().toMillis(), min << Math.min(failedAttempts - 1, 20));
        delay = delay + ThreadLocalRandom.current().nextLong(delay / 5 + 1); // jitter: sites reconnect out of step
        if (!error.equals(lastLoggedError)) {
            LOG.warn("MQTT: cannot connect to {}: {}; retrying with backoff up to {} s", settings.serverUri(), error,
                    settings.maxBackoff().toSeconds());
            lastLoggedError = error;
        } else {
            LOG.debug("MQTT: attempt {} failed again: {}", failedAttempts, error);
        }
        schedule(this::connect, delay);
    }

    private void resubscribe() {
        Map<String, Integer> filters = new LinkedHashMap<>();
        for (Sub s : subs) {
            filters.merge(s.filter().filter(), s.qos(), Math::max);
        }
        if (filters.isEmpty()) {
            return;
        }
        try {
            client.subscribe(filters.keySet().toArray(String[]::new),
                    filters.values().stream().mapToInt(Integer::intValue).toArray());
        } catch (MqttException e) {
            LOG.warn("MQTT: subscribing to {} failed: {}", filters.keySet(), describe(e));
        }
    }

    private void schedule(Runnable task, long delayMillis) {
        if (!stopped) {
            try {
                timer.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
            } catch (RuntimeException e) {
                LOG.debug("MQTT: timer stopped");
            }
        }
    }

    @Override
    public Handle subscribe(String filter, int qos, MessageListener listener) {
        Sub sub = new Sub(TopicFilter.of(filter), Math.max(0, Math.min(2, qos)), listener);
        synchronized (this) {
            List<Sub> next = new ArrayList<>(subs);
            next.add(sub);
            subs = List.copyOf(next);
        }
        if (client != null && connected) {
            try {
                client.subscribe(filter, sub.qos());
            } catch (MqttException e) {
                LOG.warn("MQTT: subscribing to {} failed: {}", filter, describe(e));
            }
        }
        return () -> unsubscribe(sub);
    }

    private void unsubscribe(Sub sub) {
        boolean last;
        synchronized (this) {
            List<Sub> next = new ArrayList<>(subs);
            next.remove(sub);
            subs = List.copyOf(next);
            last = next.stream().noneMatch(s -> s.filter().equals(sub.filter()));
        }
        if (last && client != null && connected && !stopped) {
            try {
                client.unsubscribe(sub.filter().filter());
            } catch (MqttException e) {
                LOG.debug("MQTT: unsubscribe {}: {}", sub.filter(), e.toString());
            }
        }
    }

    @Override
    public boolean publish(String topic, byte[] payload, int qos, boolean retained) {
        if (client == null || !connected) {
            dropped.increment();
            return false;
        }
        try {
            client.publish(topic, payload, qos, retained);
            published.increment();
            return true;
        } catch (MqttException e) {
            dropped.increment();
            LOG.debug("MQTT: publish to {} dropped: {}", topic, e.toString());
            return false;
        }
    }

    @Override
    public boolean connected() {
        return connected;
    }

    @Override
    public String baseTopic() {
        return settings.baseTopic();
    }

    @Override
    public Handle onConnected(Runnable hook) {
        synchronized (this) {
            List<Runnable> next = new ArrayList<>(hooks);
            next.add(hook);
            hooks = List.copyOf(next);
        }
        if (connected) {
            try {
                timer.execute(() -> runSafely(hook, "connect hook"));
            } catch (RuntimeException e) {
                LOG.debug("MQTT: timer stopped");
            }
        }
        return () -> {
            synchronized (this) {
                List<Runnable> next = new ArrayList<>(hooks);
                next.remove(hook);
                hooks = List.copyOf(next);
            }
        };
    }

    @Override
    public Handle every(Duration period, Runnable task) {
        long ms = Math.max(1, period.toMillis());
        ScheduledFuture<?> f;
        try {
            f = timer.scheduleAtFixedRate(() -> runSafely(task, "periodic task"), ms, ms, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            return () -> { };
        }
        return () -> f.cancel(false);
    }

    State state() {
        return new State(settings.serverUri(), connected, since, lastError, lastErrorAt, failedAttempts,
                received.sum(), published.sum(), dropped.sum(),
                subs.stream().map(s -> s.filter().filter()).distinct().toList());
    }

    /** Tests: break the TCP connection without DISCONNECT, as a power cut or a dead link would. */
    void dropForTest() throws MqttException {
        client.disconnectForcibly(0, 0, false);
        if (!stopped) {
            // Paho reports no connectionLost for a forced disconnect
            connected = false;
            schedule(this::connect, settings.minBackoff().toMillis());
        }
    }

    private static void runSafely(Runnable r, String what) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.error("MQTT: {} failed", what, e);
        }
    }

    private static String describe(MqttException e) {
        Throwable cause = e.getCause();
        return e.getMessage() + " (" + e.getReasonCode() + ")" + (cause == null ? "" : ": " + cause);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private final class Callback implements MqttCallbackExtended {
        @Override
        public void connectionLost(Throwable cause) {
            connected = false;
            lastError = "connection lost: " + cause;
            lastErrorAt = Instant.now();
            if (stopped) {
                return;
            }
            LOG.warn("MQTT: connection to {} lost: {}; reconnecting", settings.serverUri(), String.valueOf(cause));
            schedule(BrokerConnection.this::connect, settings.minBackoff().toMillis());
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            received.increment();
            byte[] payload = message.getPayload();
            boolean retained = message.isRetained();
            for (Sub s : subs) {
                if (s.filter().matches(topic)) {
                    // never let a listener throw into Paho: it would drop the connection
                    try {
                        s.listener().message(topic, payload, retained);
                    } catch (RuntimeException e) {
                        LOG.error("MQTT: handling {} failed", topic, e);
                    }
                }
            }
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
            // fire and forget: state is republished, nothing to retry
        }

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
            // handled after connect() returns, on the timer thread
        }
    }
}
