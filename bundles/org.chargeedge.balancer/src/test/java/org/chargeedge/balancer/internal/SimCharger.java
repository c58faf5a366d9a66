package org.chargeedge.balancer.internal;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.java_websocket.client.WebSocketClient;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.handshake.ServerHandshake;
import org.java_websocket.protocols.IProtocol;
import org.java_websocket.protocols.Protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A simulated charger with one connector and a car behind it, speaking
 * OCPP-J 1.6 over a real WebSocket. It answers GetConfiguration and
 * SetChargingProfile, and its car follows the profile in force (TxProfile
 * while valid, else TxDefaultProfile) after a reaction delay, unless a quirk
 * says otherwise. Its draw is what it reports in MeterValues (Current.Import
 * per phase) and what the site's grid meter sees.
 *
 * <p>Threads: the socket's thread answers calls and records profiles; the
 * charger's own scheduler changes the draw; tests read. Shared fields are
 * volatile or concurrent collections for that reason.
 */
final class SimCharger implements AutoCloseable {

    enum Quirk {
        /** Accepts profiles and keeps drawing what the car wants. */
        IGNORES_LIMITS,
        /** Says Power in ChargingScheduleAllowedChargingRateUnit and rejects profiles in A. */
        POWER_ONLY,
        /** Rejects TxProfiles (accepts TxDefaultProfile). */
        REJECTS_TX_PROFILE,
        /** Answers every SetChargingProfile with NotSupported. */
        NOT_SUPPORTED,
        /** Answers SetChargingProfile only after {@link SimCharger#answerDelay}. */
        SLOW_ANSWERS,
        /**
         * Resumes wrongly after a 0 A pause: the profile that ends the pause lets the car draw all it can; the next
         * SetChargingProfile is followed again.
         */
        RESUMES_AT_FULL,
        /**
         * Says true in ConnectorSwitch3to1PhaseSupported, records each profile's numberPhases and follows that of
         * an accepted TxProfile: a 3-phase car goes to 1 phase or back, after {@link SimCharger#switchPause} without
         * current (a 1-phase car stays on 1).
         */
        SWITCHES_PHASES,
        /** Rejects profiles of a kind other than Relative (some firmwares take nothing else). */
        RELATIVE_ONLY
    }

    /** A SetChargingProfile the charger received. */
    record Profile(long nanos, Instant at, int connectorId, String purpose, double limit, String unit,
                   Instant validTo, String answer) {
        double limitA(int phases) {
            return unit.equals("W") ? limit / (230.0 * phases) : limit;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    /** This charger's delayed reactions and answers; stopped with it, so nothing of it outlives a test. */
    private final ScheduledExecutorService reactions;

    final String id;
    final int carPhases;
    final double carMaxA;
    /** How long the car takes to follow a limit; the test may change it between steps. */
    volatile Duration reaction;
    final Set<Quirk> quirks;
    volatile Duration answerDelay = Duration.ofMillis(500);
    /**
     * Further keys it reports in GetConfiguration, key to value (read-only if in {@link #readOnlyKeys}), and
     * what it answers to ChangeConfiguration (Accepted ones change the value). Set by the test before it
     * connects or between steps; read by the socket's thread.
     */
    final Map<String, String> configuration = new ConcurrentHashMap<>();
    final Set<String> readOnlyKeys = ConcurrentHashMap.newKeySet();
    volatile String changeConfigurationAnswer = "Accepted";
    /** TriggerMessage MeterValues received (answered Accepted, then its MeterValues sent). */
    final AtomicInteger meterTriggers = new AtomicInteger();
    /** Each ChangeConfiguration received, as key=value. */
    final List<String> configurationChanges = new CopyOnWriteArrayList<>();
    /** SWITCHES_PHASES: how long a switch between 3 phases and 1 keeps the car from drawing. */
    volatile Duration switchPause = Duration.ofMillis(500);

    /** Appended by the socket's thread, read by tests while it runs: copy-on-write. */
    final List<Profile> profiles = new CopyOnWriteArrayList<>();
    /** Each profile's numberPhases in the order received (0: none), as {@link #profiles}. */
    final List<Integer> numberPhases = new CopyOnWriteArrayList<>();
    /** Each SetChargingProfile's purpose and kind ("TxProfile Absolute"), in order. */
    final List<String> kinds = new CopyOnWriteArrayList<>();
    final AtomicInteger setChargingProfileCalls = new AtomicInteger();
    final AtomicInteger otherCalls = new AtomicInteger();
    /** Calls awaiting their result: put by the test and reaction threads, completed by the socket's thread. */
    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final WebSocketClient socket;

    volatile Integer transactionId;
    private volatile double txLimitA = Double.NaN;
    private volatile Instant txValidTo;
    private volatile double defaultLimitA = Double.NaN;
    /** What the car draws per phase now. */
    volatile double drawA;
    /** The draw of the last MeterValues the gateway acknowledged (what the site's grid meter is made to show). */
    volatile double reportedA;
    /** Whether its last profile paused the car (RESUMES_AT_FULL). Socket thread. */
    private boolean paused;
    /** Whether meter values are sent by the charger itself whenever the draw changes. */
    volatile boolean reportOnChange = true;
    /**
     * Its Energy.Active.Import.Register, Wh, sent with every report once the test sets it (as a real charger's
     * reports carry it, so a later report of the current alone does not hide it); null: none reported.
     */
    volatile Double registerWh;
    /** The phases the charger gives (SWITCHES_PHASES: as its last TxProfile's numberPhases says; 3 otherwise). */
    private volatile int phasesOn = 3;

    SimCharger(String url, String id, int carPhases, double carMaxA, Duration reaction, Quirk... quirks)
            throws Exception {
        this.id = id;
        this.carPhases = carPhases;
        this.carMaxA = carMaxA;
        this.reaction = reaction;
        this.quirks = quirks.length == 0 ? EnumSet.noneOf(Quirk.class) : EnumSet.of(quirks[0], quirks);
        this.reactions = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sim-" + id);
            t.setDaemon(true);
            return t;
        });
        socket = new WebSocketClient(URI.create(url), new Draft_6455(List.of(), List.<IProtocol>of(
                new Protocol("ocpp1.6")))) {
            @Override
            public void onOpen(ServerHandshake handshake) {
            }

            @Override
            public void onMessage(String message) {
                try {
                    received((ArrayNode) JSON.readTree(message));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public void onClose(int code, String reason, boolean remote) {
            }

            @Override
            public void onError(Exception ex) {
            }
        };
        if (!socket.connectBlocking(5, TimeUnit.SECONDS)) {
            throw new IllegalStateException("cannot connect to " + url);
        }
    }

    private void received(ArrayNode frame) throws Exception {
        int type = frame.get(0).intValue();
        String messageId = frame.get(1).textValue();
        if (type == 3 || type == 4) {
            CompletableFuture<JsonNode> f = pending.remove(messageId);
            if (f != null) {
                if (type == 3) {
                    f.complete(frame.get(2));
                } else {
                    f.completeExceptionally(new IllegalStateException(frame.toString()));
                }
            }
            return;
        }
        String action = frame.get(2).textValue();
        JsonNode payload = frame.get(3);
        if (action.equals("GetConfiguration")) {
            otherCalls.incrementAndGet();
            String unit = quirks.contains(Quirk.POWER_ONLY) ? "Power" : "Current";
            String switches = quirks.contains(Quirk.SWITCHES_PHASES) ? ",{\"key\":\"ConnectorSwitch3to1PhaseSupported\","
                    + "\"readonly\":true,\"value\":\"true\"}" : "";
            StringBuilder more = new StringBuilder();
            configuration.forEach((k, v) -> more.append(",{\"key\":\"").append(k).append("\",\"readonly\":")
                    .append(readOnlyKeys.contains(k)).append(",\"value\":\"").append(v).append("\"}"));
            socket.send("[3,\"" + messageId + "\",{\"configurationKey\":[{\"key\":"
                    + "\"ChargingScheduleAllowedChargingRateUnit\",\"readonly\":true,\"value\":\"" + unit + "\"}"
                    + switches + more + "]}]");
        } else if (action.equals("TriggerMessage") && "MeterValues".equals(payload.path("requestedMessage").asText())) {
            meterTriggers.incrementAndGet();
            socket.send("[3,\"" + messageId + "\",{\"status\":\"Accepted\"}]");
            reactions.execute(() -> {
                try {
                    meterValues();
                } catch (Exception e) {
                    // the connection went: nothing to report to
                }
            });
        } else if (action.equals("ChangeConfiguration") && !changeConfigurationAnswer.equals("NotImplemented")) {
            otherCalls.incrementAndGet();
            String key = payload.get("key").textValue();
            String value = payload.get("value").textValue();
            configurationChanges.add(key + "=" + value);
            if (changeConfigurationAnswer.equals("Accepted")) {
                configuration.put(key, value);
            }
            socket.send("[3,\"" + messageId + "\",{\"status\":\"" + changeConfigurationAnswer + "\"}]");
        } else if (action.equals("SetChargingProfile")) {
            setChargingProfileCalls.incrementAndGet();
            String answer = setChargingProfile(payload);
            String result = "[3,\"" + messageId + "\",{\"status\":\"" + answer + "\"}]";
            if (quirks.contains(Quirk.SLOW_ANSWERS)) {
                reactions.schedule(() -> socket.send(result), answerDelay.toMillis(), TimeUnit.MILLISECONDS);
            } else {
                socket.send(result);
            }
        } else {
            otherCalls.incrementAndGet();
            socket.send("[4,\"" + messageId + "\",\"NotImplemented\",\"not simulated\",{}]");
        }
    }

    private String setChargingProfile(JsonNode payload) {
        JsonNode p = payload.get("csChargingProfiles");
        String purpose = p.get("chargingProfilePurpose").textValue();
        JsonNode schedule = p.get("chargingSchedule");
        String unit = schedule.get("chargingRateUnit").textValue();
        double limit = schedule.get("chargingSchedulePeriod").get(0).get("limit").doubleValue();
        JsonNode phases = schedule.get("chargingSchedulePeriod").get(0).get("numberPhases");
        numberPhases.add(phases == null || phases.isNull() ? 0 : phases.intValue());
        String kind = p.get("chargingProfileKind").textValue();
        kinds.add(purpose + " " + kind);
        Instant validTo = p.hasNonNull("validTo") ? Instant.parse(p.get("validTo").textValue()) : null;
        String answer;
        if (quirks.contains(Quirk.NOT_SUPPORTED)) {
            answer = "NotSupported";
        } else if (quirks.contains(Quirk.POWER_ONLY) && unit.equals("A")) {
            answer = "Rejected";
        } else if (quirks.contains(Quirk.REJECTS_TX_PROFILE) && purpose.equals("TxProfile")) {
            answer = "Rejected";
        } else if (quirks.contains(Quirk.RELATIVE_ONLY) && !kind.equals("Relative")) {
            answer = "Rejected";
        } else {
            answer = "Accepted";
        }
        Profile received = new Profile(System.nanoTime(), Instant.now(), payload.get("connectorId").intValue(),
                purpose, limit, unit, validTo, answer);
        profiles.add(received);
        if (answer.equals("Accepted")) {
            double a = received.limitA(purpose.equals("TxProfile") ? carPhases : 3);
            if (purpose.equals("TxProfile")) {
                txLimitA = a;
                txValidTo = validTo;
            } else {
                defaultLimitA = a;
            }
            if (!quirks.contains(Quirk.IGNORES_LIMITS)) {
                // the car reaches the limit in force now after the reaction time, not a later one sooner
                double inForce = effectiveLimitA();
                boolean resumes = quirks.contains(Quirk.RESUMES_AT_FULL) && paused && inForce > 0;
                paused = inForce == 0;
                double target = resumes ? carMaxA : inForce;
                int switchTo = quirks.contains(Quirk.SWITCHES_PHASES) && purpose.equals("TxProfile")
                        ? (phases == null || phases.isNull() ? 3 : phases.intValue()) : phasesOn;
                reactions.schedule(() -> {
                    if (switchTo == phasesOn) {
                        follow(target);
                        return;
                    }
                    // a switch: the charger stops the car, switches its contactors, and lets it start again
                    follow(0);
                    reactions.schedule(() -> {
                        phasesOn = switchTo;
                        follow(target);
                    }, switchPause.toMillis(), TimeUnit.MILLISECONDS);
                }, reaction.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        return answer;
    }

    /** The phases the car draws on now: 1 for a 1-phase car, else those the charger gives. */
    int activePhases() {
        return carPhases == 1 ? 1 : phasesOn;
    }

    /** The limit in force now, A per phase (the car's maximum when none). */
    double effectiveLimitA() {
        double limit = carMaxA;
        Instant to = txValidTo;
        if (!Double.isNaN(txLimitA) && (to == null || Instant.now().isBefore(to))) {
            limit = txLimitA;
        } else if (!Double.isNaN(defaultLimitA)) {
            limit = defaultLimitA;
        }
        return limit < 6 ? 0 : Math.min(limit, carMaxA);
    }

    private void follow(double next) {
        if (transactionId == null) {
            return;
        }
        if (next != drawA) {
            drawA = next;
            if (reportOnChange) {
                try {
                    meterValues();
                } catch (Exception e) {
                    // the connection is closing: nothing to report to
                }
            }
        }
    }

    /** Sends a CALL and waits for its CALLRESULT payload. */
    JsonNode call(String action, String payload) throws Exception {
        return callAsync(action, payload).get(10, TimeUnit.SECONDS);
    }

    private CompletableFuture<JsonNode> callAsync(String action, String payload) throws Exception {
        String id = UUID.randomUUID().toString();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        socket.send("[2,\"" + id + "\",\"" + action + "\"," + payload + "]");
        return answer;
    }

    void boot() throws Exception {
        call("BootNotification", "{\"chargePointVendor\":\"Sim\",\"chargePointModel\":\"Wallbox\",\"firmwareVersion\":\"1.0\"}");
        status("Available");
    }

    void status(String status) throws Exception {
        call("StatusNotification", "{\"connectorId\":1,\"errorCode\":\"NoError\",\"status\":\"" + status + "\"}");
    }

    /** Plugs in a car and starts a transaction; the car draws what the limit in force allows. */
    int start() throws Exception {
        status("Preparing");
        JsonNode conf = call("StartTransaction", "{\"connectorId\":1,\"idTag\":\"TAG-" + id
                + "\",\"meterStart\":0,\"timestamp\":\"" + Instant.now() + "\"}");
        transactionId = conf.get("transactionId").intValue();
        status("Charging");
        drawA = quirks.contains(Quirk.IGNORES_LIMITS) ? carMaxA : effectiveLimitA();
        meterValues();
        return transactionId;
    }

    void stop() throws Exception {
        Integer tx = transactionId;
        transactionId = null;
        drawA = 0;
        reportedA = 0;
        phasesOn = 3;
        call("StopTransaction", "{\"transactionId\":" + tx + ",\"meterStop\":1000,\"timestamp\":\""
                + Instant.now() + "\"}");
        status("Available");
    }

    /**
     * Reports the draw of now. Synchronized: the test thread and the reaction thread both report, and the last
     * report the gateway gets must be the newest draw.
     */
    synchronized void meterValues() throws Exception {
        double a = drawA;
        call("MeterValues", meterValuesPayload(a));
        reportedA = a;
    }

    private String meterValuesPayload(double draw) {
        Integer tx = transactionId;
        ObjectNode p = JSON.createObjectNode().put("connectorId", 1);
        if (tx != null) {
            p.put("transactionId", tx);
        }
        ArrayNode values = p.putArray("meterValue").addObject().put("timestamp", Instant.now().toString())
                .putArray("sampledValue");
        for (int i = 1; i <= 3; i++) {
            double a = i <= activePhases() ? draw : 0;
            values.addObject().put("value", String.format(Locale.ROOT, "%.1f", a)).put("measurand", "Current.Import")
                    .put("phase", "L" + i).put("unit", "A");
        }
        Double register = registerWh;
        if (register != null) {
            values.addObject().put("value", String.format(Locale.ROOT, "%.0f", register))
                    .put("measurand", "Energy.Active.Import.Register").put("unit", "Wh");
        }
        return p.toString();
    }

    /** The last TxProfile received (accepted or not), or null. */
    Profile lastTxProfile() {
        Profile last = null;
        for (Profile p : profiles) {
            if (p.purpose().equals("TxProfile")) {
                last = p;
            }
        }
        return last;
    }

    Profile lastDefault() {
        Profile last = null;
        for (Profile p : profiles) {
            if (p.purpose().equals("TxDefaultProfile")) {
                last = p;
            }
        }
        return last;
    }

    long txProfiles() {
        return profiles.stream().filter(p -> p.purpose().equals("TxProfile")).count();
    }

    void disconnect() throws InterruptedException {
        close();
    }

    @Override
    public void close() throws InterruptedException {
        reactions.shutdownNow();
        socket.closeBlocking();
    }
}
