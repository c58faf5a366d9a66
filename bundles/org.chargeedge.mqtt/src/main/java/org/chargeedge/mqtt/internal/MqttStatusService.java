package org.chargeedge.mqtt.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.chargeedge.api.energy.EnergySnapshot;
import org.chargeedge.api.energy.Freshness;
import org.chargeedge.api.energy.MeasurementKey;
import org.chargeedge.api.energy.SiteEnergy;
import org.chargeedge.api.mqtt.MqttStatus;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * What this bundle knows of its broker connection and inputs, gathered in one
 * place: the {@link MqttStatus} service (read by the HTTP API), the health
 * check and {@code chargeedge:mqtt} all read it.
 *
 * <p>Threads: DS writes the references on its threads; readers (HTTP, the
 * health checker, the shell) build snapshots on their own thread from
 * volatile fields, the copy-on-write list of inputs (changes are rare) and
 * the connection's and engines' volatile state. Nothing here is written by a
 * reader.
 */
@Component(service = {MqttStatus.class, MqttStatusService.class})
public class MqttStatusService implements MqttStatus {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile BrokerConnection connection;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile SiteEnergy siteEnergy;
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private final List<MqttInput> inputs = new CopyOnWriteArrayList<>();
    /** Optional: the price series, listed among the inputs as {@code prices}. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile PriceInput prices;
    private final Clock clock;

    public MqttStatusService() {
        this.clock = Clock.systemUTC();
    }

    /** Outside the framework (tests): any part may be null or empty. */
    MqttStatusService(BrokerConnection connection, SiteEnergy siteEnergy, List<MqttInput> inputs, Clock clock) {
        this.connection = connection;
        this.siteEnergy = siteEnergy;
        this.inputs.addAll(inputs);
        this.clock = clock;
    }

    /** The connection's own state; null when the bundle has no broker configuration at all. */
    BrokerConnection.State brokerState() {
        BrokerConnection c = connection;
        return c == null ? null : c.state();
    }

    PriceInput prices() {
        return prices;
    }

    /** Outside the framework (tests). */
    void prices(PriceInput p) {
        this.prices = p;
    }

    SiteEnergy siteEnergy() {
        return siteEnergy;
    }

    List<MqttInput> inputs() {
        return List.copyOf(inputs);
    }

    /** The energy model's values that are held but unknown now, by key, with why; empty without a model. */
    static Map<MeasurementKey, String> unknownValues(EnergySnapshot snapshot) {
        Map<MeasurementKey, String> out = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
        if (snapshot != null) {
            snapshot.withheld().keySet().forEach(k -> out.put(k,
                    snapshot.freshness(k) == Freshness.AGE_UNKNOWN ? "retained, age unknown" : "stale"));
        }
        return out;
    }

    EnergySnapshot energySnapshot() {
        SiteEnergy e = siteEnergy;
        return e == null ? null : e.snapshot();
    }

    @Override
    public Connection connection() {
        BrokerConnection.State s = brokerState();
        Map<MeasurementKey, String> unknown = unknownValues(energySnapshot());
        Instant now = clock.instant();
        List<Input> each = new ArrayList<>();
        for (MqttInput i : inputs) {
            each.add(input(i, unknown, now));
        }
        PriceInput p = prices;
        if (p != null) {
            each.add(prices(p, now));
        }
        each.sort((a, b) -> a.name().compareTo(b.name()));
        if (s == null || s.serverUri() == null) {
            return new Connection(null, false, null, 0, s == null ? null : s.lastError(),
                    s == null ? null : s.lastErrorAt(), 0, 0, 0, List.of(), each);
        }
        return new Connection(withoutCredentials(s.serverUri()), s.connected(), s.connected() ? s.since() : null,
                s.failedAttempts(), s.lastError(), s.lastErrorAt(), s.received(), s.published(), s.dropped(),
                s.subscriptions(), each);
    }

    private static Input input(MqttInput input, Map<MeasurementKey, String> unknown, Instant now) {
        MappingEngine engine = input.engine();
        if (engine == null) {
            return new Input(input.name(), input.problem(), List.of(), 0, null, null, Duration.ZERO, true,
                    List.of(), "");
        }
        Instant last = engine.lastMessageAt();
        Duration age = last == null ? null : Duration.between(last, now);
        Duration staleAfter = engine.longestStaleAfter();
        boolean stale = age == null || age.compareTo(staleAfter) > 0;
        List<String> mine = new ArrayList<>();
        for (MeasurementKey k : engine.keys()) {
            String why = unknown.get(k);
            if (why != null) {
                mine.add(k + " (" + why + ")");
            }
        }
        return new Input(input.name(), null, List.copyOf(engine.filters()), engine.messages.sum(), last, age,
                staleAfter, stale, mine, input.gridWarning());
    }

    /** The price series as an input named {@code prices}: stale while no series is usable. */
    static Input prices(PriceInput p, Instant now) {
        if (p.problem() != null) {
            return new Input("prices", p.problem(), List.of(), 0, null, null, Duration.ZERO, true, List.of(), "");
        }
        Instant last = p.lastMessageAt();
        return new Input("prices", null, List.of(p.topic()), p.messages(), last,
                last == null ? null : Duration.between(last, now), p.maxAge(), !p.usable(), List.of(), p.warning());
    }

    /** The broker's URL without a user name or password an installer may have written into it. */
    static String withoutCredentials(String uri) {
        int scheme = uri.indexOf("://");
        int at = uri.lastIndexOf('@');
        int path = uri.indexOf('/', scheme < 0 ? 0 : scheme + 3);
        if (scheme < 0 || at < scheme || (path >= 0 && at > path)) {
            return uri;
        }
        return uri.substring(0, scheme + 3) + uri.substring(at + 1);
    }
}
