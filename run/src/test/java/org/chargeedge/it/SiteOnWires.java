package org.chargeedge.it;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.chargeedge.mqtt.internal.EmbeddedBroker;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A charging site on real wires: the whole gateway as it ships (the launcher, a child JVM, with the shipped
 * configuration and the site's settings written into its config directory), an MQTT broker (Moquette) in this
 * JVM, and N {@link WireCharger}s speaking OCPP 1.6J over WebSockets, in compressed real time.
 *
 * <p>The physical model: every charger hangs from one of two circuits ({@code garage-a}: the first half,
 * {@code garage-b}: the rest); a car charges on L1 (1-phase) or L1-L3. The grid connection carries the building
 * load (a day's curve squeezed into the run, unbalanced, with a motor on L1 switching on and off) minus the PV
 * (a day's curve, with clouds) plus every charger's draw. A grid meter publishes that model's current per phase
 * and its total power every second, and the PV inverter its power, to the broker, where the gateway's MQTT inputs
 * (a {@code generic} input and an {@code opendtu} one) read them. Cars arrive and leave on a schedule drawn from a
 * seed.
 *
 * <p>Scores, named as the day in virtual time names them ({@code SiteDay.Result} in the balancer's tests): the
 * time above each limit (the grid connection per phase, each circuit per phase) after the reaction-time grace,
 * sampled every 200 ms; the most above a limit then; the highest grid phase; energy delivered; profile commands
 * per charger-hour; the grid import and what it cost at the site's time-of-use tariff, which is published on the
 * broker as a price series (retained) for the gateway's {@code org.chargeedge.mqtt.prices} input, and where the
 * gateway's balancer says its prices come from (its {@code BASE/balancer/site} state).
 *
 * <p>The gateway may be killed ({@link Trouble#GATEWAY_KILLED}): SIGKILL to its JVM at {@link #KILL_AT} of the
 * run, started again on the same data directory {@link Settings#gatewayDown} later. Meanwhile the chargers keep
 * charging under the profiles they hold and try to connect again with a backoff, as real ones do
 * ({@link WireCharger}); a car that arrives at a charger that is not connected waits for it.
 *
 * <p>Threads: {@link #run} on the caller's thread samples the model, plugs cars in and out, and kills and starts
 * the gateway; the publisher thread owns the MQTT client; the chargers' scheduler runs their reactions and
 * MeterValues; each charger's socket thread its answers, and a thread of its own connects it again. The model
 * reads the chargers' volatile draws.
 */
final class SiteOnWires {

    /** What goes wrong during the run. */
    enum Trouble {
        /** Charger 5 accepts every profile and lets its car (16 A, 3 phases) draw all it can. */
        IGNORING_CHARGER,
        /** The broker is stopped from 45 % of the run for {@link Settings#outage}: no grid meter, no PV. */
        BROKER_OUTAGE,
        /**
         * The gateway's JVM is killed with SIGKILL at {@link #KILL_AT} of the run and started again on the same
         * data directory {@link Settings#gatewayDown} later. The cars of chargers 1 and 2 stay all day, so that
         * sessions run through the kill and the restart.
         */
        GATEWAY_KILLED
    }

    /**
     * The site and the run. {@code profileValiditySeconds}: the balancer's TxProfile validity, 0 for the shipped
     * default.
     */
    record Settings(String name, int chargers, Duration length, double gridLimitA, double circuitLimitA,
                    double safeBudgetA, double buildingA, double pvPeakW, Set<Trouble> troubles, Duration outage,
                    Duration gatewayDown, int profileValiditySeconds, boolean balancing, long seed) {

        /** Simulated seconds of the day's curves per second of the run: 06:00 to 20:00 in {@link #length}. */
        double speed() {
            return 14 * 3600.0 / length.toSeconds();
        }
    }

    /**
     * The gateway's reaction time for a charger above its limit ({@code reactionTimeSeconds}), the 30 s of the
     * shipped default compressed as the slow charger's reaction is.
     */
    static final int REACTION_TIME_SECONDS = 5;
    /** The slow charger's reaction: the 30 s of a real slow one, scaled by the same factor of 10. */
    static final Duration SLOW_REACTION = Duration.ofSeconds(3);
    static final int METER_VALUES_SECONDS = 2;
    /** When the gateway is killed ({@link Trouble#GATEWAY_KILLED}), as a fraction of the run. */
    static final double KILL_AT = 0.2;
    /**
     * The gateway speaks to a charger that connected without a BootNotification only this long after it connected
     * (the balancer's readme); one that booted, at once.
     */
    static final Duration UNBOOTED_GRACE = Duration.ofSeconds(10);
    /**
     * A session after the gateway's restart is given this long to get a TxProfile from it, from when its charger
     * is connected again (and {@link #UNBOOTED_GRACE} has passed, if it did not boot) and from its start.
     */
    static final Duration TX_PROFILE_AGAIN = Duration.ofSeconds(5);
    /**
     * An overload of the grid connection shorter than this is the reaction time (grid meter every second, the
     * controller, the profile over the wire, the slow charger's 3 s and the MeterValues that report it) and is not
     * counted.
     */
    static final Duration GRID_GRACE = Duration.ofSeconds(8);
    /**
     * The circuits have no meter: a charger above its limit is known from its MeterValues and counted at its draw
     * after {@link #REACTION_TIME_SECONDS}; then the others fall within their reaction (3 s for the slow one).
     */
    static final Duration CIRCUIT_GRACE = Duration.ofSeconds(REACTION_TIME_SECONDS + METER_VALUES_SECONDS + 5);
    private static final Duration SAMPLE = Duration.ofMillis(200);

    /**
     * The gateway's kill, in seconds of the run: when, when it was started again, and the JVM's exit code (137:
     * SIGKILL). While it was gone and every TxProfile had run out ({@code fallbackFrom} to {@code restartedAt}):
     * the most a charger drew above its TxDefaultProfile's limit (0 or less: all followed it), the highest limit of
     * a TxDefaultProfile, and the most chargers drawing at once; chargers with a TxProfile still in force at the
     * restart. After it: chargers connected again; sessions that ran through the kill, and sessions started
     * since, that were judged (still open once the new gateway had time to send them a TxProfile, see
     * {@link #TX_PROFILE_AGAIN}) and how many of them had one, and of those how many were paused by it (0 A) then;
     * when, after the restart, a charger first drew above its TxDefaultProfile's limit under a TxProfile, and the
     * most a charger drew. The highest grid phase while the gateway was gone, and after its restart.
     */
    record Kill(double at, double restartedAt, int exitCode, double fallbackFrom, double maxAboveDefaultA,
                double defaultA, int drawingOnFallback, int txProfilesAtRestart, int reconnected, int sessionsThrough,
                int sessionsThroughServed, int sessionsAfter, int sessionsAfterServed, int sessionsPaused,
                double aboveDefaultAfter, double maxDrawAfterA, double maxGridDownA, double maxGridAfterA) {

        String describe() {
            String fallback = fallbackFrom < restartedAt ? String.format(Locale.ROOT, "from %.0f s all on their "
                            + "TxDefaultProfile (%.1f A; most above it %.1f A, %d drawing)", fallbackFrom, defaultA,
                    Math.max(0, maxAboveDefaultA), drawingOnFallback) : "started again before the TxProfiles ran out";
            return String.format(Locale.ROOT, "killed at %.0f s (exit %d), started again at %.0f s; %s; TxProfiles "
                            + "from the new gateway for %d of %d sessions through the kill and %d of %d started "
                            + "since, %d of all these paused (0 A) then; above the default share %.1f s after the "
                            + "restart, up to %.1f A; highest grid phase %.1f A while it was gone, %.1f A after",
                    at, exitCode,
                    restartedAt, fallback, sessionsThroughServed, sessionsThrough, sessionsAfterServed, sessionsAfter,
                    sessionsPaused, aboveDefaultAfter, maxDrawAfterA, maxGridDownA, maxGridAfterA);
        }
    }

    /** What the run gave; {@code kill} null when the gateway was not killed. */
    record Result(Settings settings, double seconds, double overloadSeconds, double maxOverloadA,
                  double maxTransientA, double maxPhaseA, double deliveredKwh, int sessions, long profileCommands,
                  long limitChanges, Map<String, Double> overloadsByPlace, int chargersWithoutProfile, Kill kill,
                  double importKwh, double cost, String priceSource) {

        double commandsPerChargerHour() {
            return profileCommands / (settings.chargers() * seconds / 3600);
        }

        double changesPerChargerHour() {
            return limitChanges / (settings.chargers() * seconds / 3600);
        }

        String row() {
            return String.format(Locale.ROOT, "| %s | %d | %s | %.0f s | %.1f s | %.1f A | %.1f A | %.1f A | %.2f kWh "
                            + "| %d | %.0f (%.0f) |",
                    settings.balancing() ? "gateway" : "balancing off", settings.chargers(),
                    settings.troubles().isEmpty() ? "none"
                            : settings.troubles().toString().toLowerCase(Locale.ROOT).replace('_', ' '),
                    seconds, overloadSeconds, maxOverloadA, maxTransientA, maxPhaseA, deliveredKwh, sessions,
                    commandsPerChargerHour(), changesPerChargerHour())
                    + (overloadsByPlace.isEmpty() ? "" : " over: " + new TreeMap<>(overloadsByPlace))
                    + String.format(Locale.ROOT, " grid import %.2f kWh, cost %.3f EUR at the tariff on the broker "
                            + "(the gateway's prices: %s)", importKwh, cost, priceSource)
                    + (kill == null ? "" : " " + kill.describe());
        }

        static String header() {
            return "| policy | chargers | trouble | run | seconds above a limit after the reaction time | most above | "
                    + "most above within the grace | highest grid phase | energy delivered | sessions | "
                    + "profile commands per charger-hour (limit changes) |\n|---|---|---|---|---|---|---|---|---|---|---|";
        }
    }

    private final Settings settings;
    private final Path work;
    /** The gateway's process and its OCPP port; the run's thread only. */
    private Process gateway;
    private int port;

    SiteOnWires(Settings settings) {
        this.settings = settings;
        this.work = GatewayRuntime.itDir().resolve(settings.name());
    }

    Path log() {
        return work.resolve("gateway.log");
    }

    /** The log of the gateway started again after its kill. */
    Path restartedLog() {
        return work.resolve("gateway-restarted.log");
    }

    /** Both logs, the second empty when the gateway was not started again. */
    String logs() throws IOException {
        return Files.readString(log(), StandardCharsets.UTF_8) + (Files.exists(restartedLog())
                ? Files.readString(restartedLog(), StandardCharsets.UTF_8) : "");
    }

    static String chargerId(int i) {
        return String.format(Locale.ROOT, "W%02d", i);
    }

    static String circuitOf(int i, int chargers) {
        return i <= (chargers + 1) / 2 ? "garage-a" : "garage-b";
    }

    /**
     * The quirks of charger {@code i} (1-based): 3 takes only W, 7 is slow, 9 resumes at full after a pause; the
     * even ones boot again when they connect again.
     */
    private Set<WireCharger.Quirk> quirks(int i) {
        Set<WireCharger.Quirk> q = EnumSet.noneOf(WireCharger.Quirk.class);
        switch (i) {
            case 3 -> q.add(WireCharger.Quirk.POWER_ONLY);
            case 5 -> {
                if (settings.troubles().contains(Trouble.IGNORING_CHARGER)) {
                    q.add(WireCharger.Quirk.IGNORES_LIMITS);
                }
            }
            case 7 -> q.add(WireCharger.Quirk.SLOW);
            case 9 -> q.add(WireCharger.Quirk.RESUMES_AT_FULL);
            default -> {
            }
        }
        if (i % 2 == 0) {
            q.add(WireCharger.Quirk.BOOTS_ON_RECONNECT);
        }
        return q;
    }

    /** The car charger {@code i} gets: every fourth 1-phase, every third 16 A; the ignoring charger's 16 A. */
    private static WireCharger.Car car(int i, boolean ignoring) {
        if (ignoring) {
            return new WireCharger.Car(3, 16);
        }
        return new WireCharger.Car(i % 4 == 0 ? 1 : 3, i % 3 == 0 ? 16 : 32);
    }

    /** One car's visit, in seconds from the start of the run. */
    private record Visit(int charger, double arrives, double leaves, WireCharger.Car car) {
    }

    private List<Visit> visits() {
        Random r = new Random(settings.seed());
        double len = settings.length().toSeconds();
        List<Visit> visits = new ArrayList<>();
        for (int i = 1; i <= settings.chargers(); i++) {
            boolean ignoring = i == 5 && settings.troubles().contains(Trouble.IGNORING_CHARGER);
            boolean staying = i <= 2 && settings.troubles().contains(Trouble.GATEWAY_KILLED);
            double a1 = r.nextDouble() * 0.2 * len;
            double l1 = a1 + (0.35 + r.nextDouble() * 0.35) * len;
            double a2 = l1 + (0.03 + r.nextDouble() * 0.07) * len;
            if (ignoring || staying) {
                // the ignoring one draws all the time: the others must make room for it throughout; the staying
                // ones' sessions run through the gateway's kill and restart
                visits.add(new Visit(i, a1, len + 1, car(i, ignoring)));
                continue;
            }
            visits.add(new Visit(i, a1, l1, car(i, false)));
            if (a2 < 0.9 * len) {
                visits.add(new Visit(i, a2, len + 1, car((i + 1) % 12 + 1, false)));
            }
        }
        return visits;
    }

    // ---- the loads ----

    /** The hour of the day at second {@code t} of the run. */
    double hourAt(double t) {
        return 6 + t * settings.speed() / 3600;
    }

    /** The building's current on {@code phase} (0..2): its day curve, unbalanced, and a motor on L1. */
    double buildingA(double t, int phase) {
        double h = hourAt(t);
        double day = Math.pow(Math.sin(Math.PI * (h - 6) / 14), 2);
        double share = new double[] {0.65, 0.55, 0.45}[phase];
        double a = settings.buildingA() * share * (0.45 + 0.55 * day);
        // the motor: 35 % of the building's figure on L1, 5 s on in every 23 s
        if (phase == 0 && (long) t % 23 >= 18) {
            a += 0.35 * settings.buildingA();
        }
        return a;
    }

    /**
     * The site's time-of-use tariff, EUR/kWh, at hour {@code h} of the squeezed day: 0.28 to 08:00, 0.22 to 11:00,
     * 0.14 to 16:00 (solar hours), 0.32 to 20:00 (the evening peak). Published on the broker as a price series.
     */
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    static final double[][] TARIFF = {{6, 0.28}, {8, 0.22}, {11, 0.14}, {16, 0.32}, {20, Double.NaN}};

    static double priceAt(double h) {
        for (int i = TARIFF.length - 2; i >= 0; i--) {
            if (h >= TARIFF[i][0]) {
                return TARIFF[i][1];
            }
        }
        return TARIFF[0][1];
    }

    /**
     * The tariff as a price series in real time for a run that starts at {@code origin}: each window of the
     * squeezed day where the run passes through it (a JSON array of {@code start}, {@code end}, {@code price}).
     */
    String priceSeries(java.time.Instant origin) {
        com.fasterxml.jackson.databind.node.ArrayNode series = JSON.createArrayNode();
        for (int i = 0; i < TARIFF.length - 1; i++) {
            long from = Math.round((TARIFF[i][0] - 6) * 3600 / settings.speed() * 1000);
            long to = Math.round((TARIFF[i + 1][0] - 6) * 3600 / settings.speed() * 1000);
            series.addObject().put("start", origin.plusMillis(from).toString())
                    .put("end", origin.plusMillis(to).toString()).put("price", TARIFF[i][1]);
        }
        return series.toString();
    }

    /** The PV inverter's power: a day's curve, and a cloud (35 %) for 6 s in every 17 s. */
    double pvW(double t) {
        double h = hourAt(t);
        double sun = Math.max(0, Math.sin(Math.PI * (h - 7) / 12));
        double cloud = (long) t % 17 >= 11 ? 0.35 : 1;
        return settings.pvPeakW() * sun * cloud;
    }

    // ---- the run ----

    Result run() throws Exception {
        if (Files.exists(work)) {
            GatewayRuntime.deleteTree(work);
        }
        Files.createDirectories(work.resolve("config"));
        port = GatewayRuntime.freePort();
        ScheduledExecutorService chargerThreads = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "wire-chargers");
            t.setDaemon(true);
            return t;
        });
        ExecutorService publisherThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "site-meter");
            t.setDaemon(true);
            return t;
        });
        List<WireCharger> chargers = new ArrayList<>();
        try (EmbeddedBroker broker = new EmbeddedBroker()) {
            writeConfig(broker.url());
            startGateway(log());
            awaitLog("MQTT: connected to", 60);
            if (settings.balancing()) {
                awaitLog("Balancer: grid limit", 60);
            }
            Meter meter = new Meter(broker.url());
            URI url = URI.create("ws://127.0.0.1:" + port + "/ocpp/");
            for (int i = 1; i <= settings.chargers(); i++) {
                Set<WireCharger.Quirk> q = quirks(i);
                Duration reaction = q.contains(WireCharger.Quirk.SLOW) ? SLOW_REACTION
                        : Duration.ofMillis(300 + 150L * (i % 5));
                WireCharger c = new WireCharger(url, chargerId(i), reaction, METER_VALUES_SECONDS, chargerThreads,
                        q.toArray(WireCharger.Quirk[]::new));
                c.connect();
                chargers.add(c);
            }
            return drive(chargers, broker, meter, publisherThread);
        } finally {
            for (WireCharger c : chargers) {
                c.close();
            }
            chargerThreads.shutdownNow();
            publisherThread.shutdownNow();
            GatewayRuntime.stopProcess(gateway);
        }
    }

    private void startGateway(Path log) throws IOException {
        gateway = GatewayRuntime.startProcess(work, work.resolve("data"), log,
                Map.of("CHARGEEDGE_OCPP_PORT", String.valueOf(port)));
    }

    /**
     * SIGKILL to the gateway: {@link Process#destroyForcibly} on the JVM itself (the process started is the java
     * command, with no wrapper around it and no child of its own). Returns its exit code, 137 after SIGKILL.
     */
    private int killGateway() throws InterruptedException {
        ProcessHandle jvm = gateway.toHandle();
        String command = jvm.info().command().orElse("");
        if (!Path.of(command).getFileName().toString().equals("java") || jvm.children().findAny().isPresent()) {
            throw new IllegalStateException("process " + jvm.pid() + " (" + command + ") is not the gateway's JVM");
        }
        gateway.destroyForcibly();
        if (!gateway.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the gateway (" + jvm.pid() + ") is still there 10 s after SIGKILL");
        }
        return gateway.exitValue();
    }

    private Result drive(List<WireCharger> chargers, EmbeddedBroker broker, Meter meter, ExecutorService publisher)
            throws Exception {
        List<Visit> pending = new ArrayList<>(visits());
        pending.sort((a, b) -> Double.compare(a.arrives(), b.arrives()));
        Map<Integer, Visit> present = new HashMap<>();
        Score score = new Score();
        double len = settings.length().toSeconds();
        double outageFrom = settings.troubles().contains(Trouble.BROKER_OUTAGE) ? 0.45 * len : Double.MAX_VALUE;
        double outageTo = outageFrom + settings.outage().toSeconds();
        boolean brokerDown = false;
        KillWatch kill = settings.troubles().contains(Trouble.GATEWAY_KILLED) ? new KillWatch(KILL_AT * len,
                KILL_AT * len + settings.gatewayDown().toSeconds()) : null;
        int sessions = 0;
        long start = System.nanoTime();
        String prices = priceSeries(java.time.Instant.now());
        publisher.execute(() -> meter.publishPrices(prices));
        long nextMeter = 0;
        for (long tick = 0;; tick++) {
            long due = start + tick * SAMPLE.toNanos();
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            double t = (System.nanoTime() - start) / 1e9;
            if (t >= len) {
                break;
            }
            // the broker
            if (!brokerDown && t >= outageFrom && t < outageTo) {
                broker.stop();
                brokerDown = true;
            } else if (brokerDown && t >= outageTo) {
                broker.start();
                brokerDown = false;
            }
            // the gateway
            if (kill != null) {
                kill.killOrStart(t, chargers);
            }
            // cars leaving, then arriving (a car waits while its charger is not connected, as it cannot authorise;
            // until the car's departure at the latest)
            for (var it = present.entrySet().iterator(); it.hasNext();) {
                var e = it.next();
                if (t >= e.getValue().leaves()) {
                    chargers.get(e.getKey() - 1).unplug();
                    it.remove();
                }
            }
            List<Visit> waiting = new ArrayList<>();
            while (!pending.isEmpty() && pending.get(0).arrives() <= t) {
                Visit v = pending.remove(0);
                if (present.containsKey(v.charger())) {
                    continue; // still occupied: this car drives on
                }
                if (!chargers.get(v.charger() - 1).online()) {
                    if (v.leaves() > t) {
                        waiting.add(v);
                    }
                    continue;
                }
                chargers.get(v.charger() - 1).plugIn(v.car());
                present.put(v.charger(), v);
                sessions++;
            }
            pending.addAll(0, waiting);
            // the physics, and the grid meter every second
            double[] grid = new double[3];
            Map<String, double[]> circuits = new TreeMap<>();
            for (int i = 1; i <= chargers.size(); i++) {
                double[] a = chargers.get(i - 1).phaseA();
                double[] c = circuits.computeIfAbsent(circuitOf(i, chargers.size()), k -> new double[3]);
                for (int p = 0; p < 3; p++) {
                    c[p] += a[p];
                    grid[p] += a[p];
                }
            }
            double pv = pvW(t);
            for (int p = 0; p < 3; p++) {
                grid[p] += buildingA(t, p) - pv / (3 * WireCharger.VOLTS);
            }
            score.sample(t, grid, circuits);
            score.cost(t, grid, priceAt(hourAt(t)));
            if (kill != null) {
                kill.sample(t, chargers, grid);
            }
            if (tick >= nextMeter) {
                nextMeter = tick + Duration.ofSeconds(1).toNanos() / SAMPLE.toNanos();
                double[] reading = grid.clone();
                publisher.execute(() -> meter.publish(reading, pv));
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double wh = 0;
        long commands = 0;
        long changes = 0;
        int withoutProfile = 0;
        for (WireCharger c : chargers) {
            wh += c.energyWh();
            commands += c.profileCommands.get();
            changes += c.limitChanges.get();
            if (c.txProfiles.get() == 0) {
                withoutProfile++;
            }
        }
        String priceSource = meter.priceSource;
        publisher.submit(meter::close).get(10, TimeUnit.SECONDS);
        return new Result(settings, seconds, score.overloadSeconds, score.maxOverloadA, score.maxTransientA,
                score.maxPhaseA, wh / 1000, sessions, commands, changes, score.byPlace, withoutProfile,
                kill == null ? null : kill.result(chargers), score.importWh / 1000, score.cost, priceSource);
    }

    /** Kills the gateway and starts it again, and watches the chargers meanwhile; on the run's thread. */
    private final class KillWatch {
        final double at;
        final double restartAt;
        /** Every TxProfile sent before the kill has run out, and the slowest charger has followed. */
        final double fallbackFrom;
        boolean killed;
        boolean restarted;
        int exitCode;
        double restartedAt = Double.NaN;
        int txProfilesAtRestart;
        double maxAboveDefaultA = Double.NEGATIVE_INFINITY;
        double defaultA;
        int drawingOnFallback;
        double aboveDefaultAfter = Double.NaN;
        double maxDrawAfterA;
        double maxGridDownA;
        double maxGridAfterA;
        /** Per charger after the restart: when it was connected again, and its session waiting for a verdict. */
        double[] connectedAgainAt;
        Watched[] watched;
        final Set<String> judged = new java.util.HashSet<>();
        int throughJudged;
        int throughServed;
        int afterJudged;
        int afterServed;
        int pausedAtVerdict;

        /** A session after the restart: TxProfiles it had then (through the kill) or 0, and when it was seen. */
        private record Watched(int transactionId, boolean throughKill, int txProfilesBefore, double seenAt) {
        }

        KillWatch(double at, double restartAt) {
            this.at = at;
            this.restartAt = restartAt;
            int validity = settings.profileValiditySeconds() > 0 ? settings.profileValiditySeconds() : 300;
            this.fallbackFrom = at + validity + SLOW_REACTION.toSeconds() + 1;
        }

        void killOrStart(double t, List<WireCharger> chargers) throws Exception {
            if (!killed && t >= at) {
                killed = true;
                exitCode = killGateway();
            } else if (killed && !restarted && t >= restartAt) {
                restarted = true;
                restartedAt = t;
                txProfilesAtRestart = (int) chargers.stream().filter(WireCharger::txProfileInForce).count();
                connectedAgainAt = new double[chargers.size()];
                java.util.Arrays.fill(connectedAgainAt, Double.NaN);
                watched = new Watched[chargers.size()];
                for (int i = 0; i < chargers.size(); i++) {
                    WireCharger.Session s = chargers.get(i).session();
                    if (s != null) {
                        watched[i] = new Watched(s.transactionId(), true, s.txProfiles(), t);
                    }
                }
                startGateway(restartedLog());
            }
        }

        void sample(double t, List<WireCharger> chargers, double[] grid) {
            double gridA = Math.max(Math.abs(grid[0]), Math.max(Math.abs(grid[1]), Math.abs(grid[2])));
            if (killed && !restarted) {
                maxGridDownA = Math.max(maxGridDownA, gridA);
            } else if (restarted) {
                maxGridAfterA = Math.max(maxGridAfterA, gridA);
            }
            if (killed && !restarted && t >= fallbackFrom) {
                int drawing = 0;
                for (WireCharger c : chargers) {
                    double limit = c.defaultLimitA();
                    double draw = c.drawA;
                    if (Double.isNaN(limit) || c.quirks.contains(WireCharger.Quirk.IGNORES_LIMITS)) {
                        continue;
                    }
                    defaultA = Math.max(defaultA, limit);
                    if (c.charging()) {
                        maxAboveDefaultA = Math.max(maxAboveDefaultA, draw - limit);
                    }
                    drawing += draw > 0 ? 1 : 0;
                }
                drawingOnFallback = Math.max(drawingOnFallback, drawing);
            } else if (restarted) {
                for (int i = 0; i < chargers.size(); i++) {
                    WireCharger c = chargers.get(i);
                    judge(i, c, t);
                    double draw = c.drawA;
                    maxDrawAfterA = Math.max(maxDrawAfterA, draw);
                    double limit = c.defaultLimitA();
                    if (Double.isNaN(aboveDefaultAfter) && !Double.isNaN(limit) && draw > limit + 0.05
                            && c.txProfileInForce() && !c.quirks.contains(WireCharger.Quirk.IGNORES_LIMITS)) {
                        aboveDefaultAfter = t - restartedAt;
                    }
                }
            }
        }

        /**
         * Each session after the restart (through the kill, or started since): had it a TxProfile from the new
         * gateway once that had time to send one ({@link #TX_PROFILE_AGAIN} after the charger was connected again,
         * after {@link #UNBOOTED_GRACE} too if it did not boot, and after the session was seen)? A session that ends
         * before gets no verdict.
         */
        private void judge(int i, WireCharger c, double t) {
            if (Double.isNaN(connectedAgainAt[i]) && c.online()) {
                connectedAgainAt[i] = t;
            }
            WireCharger.Session s = c.session();
            Watched w = watched[i];
            if (w != null && (s == null || s.transactionId() != w.transactionId())) {
                w = null; // it ended first
            }
            if (w == null && s != null && !judged.contains(c.id + "/" + s.transactionId())) {
                w = new Watched(s.transactionId(), false, 0, t);
            }
            watched[i] = w;
            if (w == null || Double.isNaN(connectedAgainAt[i])) {
                return;
            }
            double wait = (c.quirks.contains(WireCharger.Quirk.BOOTS_ON_RECONNECT) ? 0
                    : UNBOOTED_GRACE.toMillis() / 1000.0) + TX_PROFILE_AGAIN.toMillis() / 1000.0;
            if (t < connectedAgainAt[i] + wait || t < w.seenAt() + TX_PROFILE_AGAIN.toMillis() / 1000.0) {
                return;
            }
            boolean served = s.txProfiles() > w.txProfilesBefore();
            pausedAtVerdict += served && s.limitA() == 0 ? 1 : 0;
            judged.add(c.id + "/" + w.transactionId());
            watched[i] = null;
            if (w.throughKill()) {
                throughJudged++;
                throughServed += served ? 1 : 0;
            } else {
                afterJudged++;
                afterServed += served ? 1 : 0;
            }
        }

        Kill result(List<WireCharger> chargers) {
            int reconnected = 0;
            for (WireCharger c : chargers) {
                reconnected += c.reconnects.get() > 0 && c.online() ? 1 : 0;
            }
            return new Kill(at, restartedAt, exitCode, fallbackFrom, maxAboveDefaultA, defaultA, drawingOnFallback,
                    txProfilesAtRestart, reconnected, throughJudged, throughServed, afterJudged, afterServed,
                    pausedAtVerdict, aboveDefaultAfter, maxDrawAfterA, maxGridDownA, maxGridAfterA);
        }
    }

    /** Time above each limit; one instance per run, on the run's thread. */
    private final class Score {
        final Map<String, Double> overSince = new HashMap<>();
        final Map<String, Double> byPlace = new HashMap<>();
        double overloadSeconds;
        double maxOverloadA;
        double maxTransientA;
        double maxPhaseA;
        double last = Double.NaN;
        /** What the grid connection imported, Wh (export counts nothing), and what it cost at the tariff. */
        double importWh;
        double cost;
        private double lastCost = Double.NaN;

        void cost(double t, double[] grid, double pricePerKwh) {
            double dt = Double.isNaN(lastCost) ? 0 : t - lastCost;
            lastCost = t;
            double w = (grid[0] + grid[1] + grid[2]) * WireCharger.VOLTS;
            double wh = Math.max(0, w) * dt / 3600;
            importWh += wh;
            cost += wh / 1000 * pricePerKwh;
        }

        void sample(double t, double[] grid, Map<String, double[]> circuits) {
            double dt = Double.isNaN(last) ? 0 : t - last;
            last = t;
            for (int p = 0; p < 3; p++) {
                maxPhaseA = Math.max(maxPhaseA, Math.abs(grid[p]));
                over("grid L" + (p + 1), Math.abs(grid[p]) - settings.gridLimitA(), t, dt, GRID_GRACE);
            }
            circuits.forEach((name, a) -> {
                for (int p = 0; p < 3; p++) {
                    over(name + " L" + (p + 1), a[p] - settings.circuitLimitA(), t, dt, CIRCUIT_GRACE);
                }
            });
        }

        private void over(String where, double excessA, double t, double dt, Duration grace) {
            if (excessA <= 0.05) {
                overSince.remove(where);
                return;
            }
            maxTransientA = Math.max(maxTransientA, excessA);
            double since = overSince.computeIfAbsent(where, w -> t);
            if (t - since > grace.toMillis() / 1000.0) {
                overloadSeconds += dt;
                maxOverloadA = Math.max(maxOverloadA, excessA);
                byPlace.merge(String.format(Locale.ROOT, "%s from %.0f s", where, since), dt, Double::sum);
            }
        }
    }

    /**
     * The grid meter, the PV inverter and the site's tariff on the broker, and what the gateway's balancer says of
     * its prices. On the publisher thread only: it owns the client, and tries to connect again at the next reading
     * while the broker is away; {@link #priceSource} is written by the client's callback thread.
     */
    private static final class Meter {
        private final MqttClient client;
        private final MqttConnectOptions options = new MqttConnectOptions();

        /** Where the gateway's balancer says its prices come from ({@code BASE/balancer/site}), as last heard. */
        volatile String priceSource = "not heard";

        /** Whether this connection subscribed to the gateway's balancer state. */
        private boolean subscribed;
        /** The price series still to be published (a failure is tried again with the next reading), or null. */
        private String pendingPrices;

        Meter(String url) throws MqttException {
            client = new MqttClient(url, "site-meter", new MemoryPersistence());
            options.setCleanSession(true);
            options.setConnectionTimeout(1);
            options.setKeepAliveInterval(5);
            client.connect(options);
        }

        /** Connected, and subscribed to the gateway's balancer state; a failure is tried again next time. */
        private void connect() throws MqttException {
            if (!client.isConnected()) {
                subscribed = false;
                client.connect(options);
            }
            if (!subscribed) {
                client.subscribe("chargeedge/balancer/site", 0, (topic, message) -> {
                    com.fasterxml.jackson.databind.JsonNode site = JSON.readTree(message.getPayload());
                    if (site.hasNonNull("price_source")) {
                        priceSource = site.get("price_source").asText();
                    }
                });
                subscribed = true;
            }
        }

        /** The tariff as a retained price series, read by the gateway's {@code org.chargeedge.mqtt.prices}. */
        void publishPrices(String series) {
            pendingPrices = series;
            publish(null, 0);
        }

        void publish(double[] gridA, double pvW) {
            try {
                connect();
                if (pendingPrices != null) {
                    client.publish("site/prices", pendingPrices.getBytes(StandardCharsets.UTF_8), 1, true);
                    pendingPrices = null;
                }
                if (gridA == null) {
                    return;
                }
                double w = 0;
                for (int p = 0; p < 3; p++) {
                    send("site/grid/l" + (p + 1) + "/current", gridA[p]);
                    w += gridA[p] * WireCharger.VOLTS;
                }
                send("site/grid/power", w);
                send("solar/ac/power", pvW);
                client.publish("solar/ac/is_valid", "1".getBytes(StandardCharsets.US_ASCII), 0, false);
            } catch (MqttException e) {
                // the broker is away: this reading is lost, as a real meter's would be
            }
        }

        private void send(String topic, double value) throws MqttException {
            client.publish(topic, String.format(Locale.ROOT, "%.2f", value).getBytes(StandardCharsets.US_ASCII), 0,
                    false);
        }

        void close() {
            try {
                if (client.isConnected()) {
                    client.disconnect(1000);
                }
                client.close(true);
            } catch (MqttException e) {
                // closing anyway
            }
        }
    }

    // ---- the gateway's configuration ----

    private void writeConfig(String brokerUrl) throws IOException {
        Path config = work.resolve("config");
        GatewayRuntime.copyShippedConfig(config);
        String chargerCircuits = java.util.stream.IntStream.rangeClosed(1, settings.chargers())
                .mapToObj(i -> chargerId(i) + "=" + circuitOf(i, settings.chargers()))
                .collect(Collectors.joining(", "));
        Files.writeString(config.resolve("org.chargeedge.balancer.cfg"), String.join("\n",
                "enabled = " + settings.balancing(),
                "gridLimitA = " + settings.gridLimitA(),
                "safeBudgetA = " + settings.safeBudgetA(),
                "circuits = garage-a:" + settings.circuitLimitA() + ", garage-b:" + settings.circuitLimitA(),
                "chargerCircuits = " + chargerCircuits,
                "defaultMode = Fast",
                "reactionTimeSeconds = " + REACTION_TIME_SECONDS,
                "siteConnectors = " + settings.chargers(),
                settings.profileValiditySeconds() > 0 ? "profileValiditySeconds = "
                        + settings.profileValiditySeconds() : "",
                ""));
        Files.writeString(config.resolve("org.chargeedge.mqtt.cfg"), String.join("\n",
                "url = " + brokerUrl,
                "clientId = chargeedge-site",
                "minBackoffMillis = 500",
                "maxBackoffSeconds = 2",
                ""));
        // the grid meter: current per phase (signed: import positive) and total power, every second
        Files.writeString(config.resolve("org.chargeedge.mqtt.input-grid.cfg"), String.join("\n",
                "preset = generic",
                "staleAfter = 3",
                "reactionTime = 5",
                "mapping.phases = grid CURRENT L* topic=site/grid/l{n}/current",
                "mapping.power = grid POWER topic=site/grid/power",
                ""));
        Files.writeString(config.resolve("org.chargeedge.mqtt.input-pv.cfg"), String.join("\n",
                "preset = opendtu",
                "topicPrefix = solar",
                "staleAfter = 5",
                ""));
        // the tariff, as many sites publish their prices
        Files.writeString(config.resolve("org.chargeedge.mqtt.prices.cfg"), String.join("\n",
                "topic = site/prices",
                "unit = kWh",
                ""));
    }

    private void awaitLog(String line, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!Files.exists(log()) || !Files.readString(log(), StandardCharsets.UTF_8).contains(line)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no \"" + line + "\" in the gateway's log within " + seconds + " s: "
                        + log());
            }
            Thread.sleep(100);
        }
    }
}
