package org.chargeedge.it;

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
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
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
 * An OCPP 1.6J charge point with one connector on a real WebSocket, for a site run against the whole gateway
 * ({@link SiteOnWires}). It boots, reports its status, authorises and runs transactions for the cars plugged into
 * it, and sends MeterValues (Current.Import per phase and Energy.Active.Import.Register) every
 * {@code meterInterval} while a car charges. It answers GetConfiguration, SetChargingProfile,
 * ClearChargingProfile, ChangeConfiguration and TriggerMessage as a 1.6 charger does; anything else gets a
 * NotImplemented CALLERROR.
 *
 * <p>It keeps its charging profiles as a 1.6 charger does ({@link ChargingProfiles}: stack levels, validFrom
 * and validTo, schedules, a TxProfile only for a running transaction and deleted when it ends) and looks at them
 * every {@link #EVALUATE}: the car follows the limit in force (the TxProfile of its transaction while one is in
 * force, else the TxDefaultProfile, under the ChargePointMaxProfile; below 6 A it pauses) after the charger's
 * reaction time, unless a {@link Quirk} says otherwise. A limit in W is a total: the car draws it divided by
 * 230 V and by the phases it charges on.
 *
 * <p>When the connection is lost (the gateway stopped or was killed) the charger goes on as a real one does: the
 * car keeps charging under the profiles it holds (a TxProfile until its validTo, then the TxDefaultProfile), a
 * car that leaves ends its transaction and the StopTransaction waits in a queue, a car that arrives waits (this
 * charger does not authorise offline), periodic MeterValues are not sent; the charger tries to connect again
 * after 1 s, then doubling up to 8 s, each with up to a quarter more at random. Connected again, it sends a
 * BootNotification only if it is {@link Quirk#BOOTS_ON_RECONNECT} (OCPP 1.6 asks for one after a reboot, not after
 * a lost connection; some firmware sends one anyway), then what it queued, then its connector's status.
 *
 * <p>Threads: the socket's thread answers the gateway and records profiles; the shared scheduler runs the
 * profiles' evaluation, the car's delayed reactions and the periodic MeterValues; a thread of its own connects
 * again after a lost connection; the site's thread plugs cars in and out and reads {@link #drawA}. What more than
 * one of them touches is volatile or synchronized on this object (profiles and the car's state change together).
 */
final class WireCharger implements AutoCloseable {

    static final double VOLTS = 230;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How real chargers misbehave. */
    enum Quirk {
        /** Accepts every profile and lets the car draw all it can. */
        IGNORES_LIMITS,
        /** Says Power in ChargingScheduleAllowedChargingRateUnit and rejects profiles in A. */
        POWER_ONLY,
        /** Reacts to a new limit only after the site's slow reaction time (30 s, scaled). */
        SLOW,
        /**
         * After a pause (a limit below 6 A) the limit that ends the pause lets the car draw all it can, until the
         * next SetChargingProfile.
         */
        RESUMES_AT_FULL,
        /** Sends a BootNotification whenever it connects again, not only after a reboot. */
        BOOTS_ON_RECONNECT
    }

    /** How often the charger looks at its profiles (a TxProfile's validTo, a schedule's next period). */
    static final Duration EVALUATE = Duration.ofMillis(100);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final Duration MAX_RETRY = Duration.ofSeconds(8);

    /** The car plugged in: the phases it charges on (from L1) and the most it draws per phase. */
    record Car(int phases, double maxA) {
    }

    final String id;
    final Set<Quirk> quirks;
    final Duration reaction;
    private final ScheduledExecutorService scheduler;
    private final WebSocketClient socket;
    /** Calls awaiting their answer: put by the caller's thread, completed by the socket's thread. */
    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    /** SetChargingProfile calls received, and those that changed the limit in force. */
    final AtomicInteger profileCommands = new AtomicInteger();
    final AtomicInteger limitChanges = new AtomicInteger();
    final AtomicInteger txProfiles = new AtomicInteger();
    /** Calls other than SetChargingProfile, and CALLERRORs the gateway answered ours with. */
    final AtomicInteger otherCalls = new AtomicInteger();
    final AtomicInteger errors = new AtomicInteger();
    /** Connections made again after one was lost. */
    final AtomicInteger reconnects = new AtomicInteger();

    // ---- guarded by this ----
    private Car car;
    private Integer transactionId;
    private Instant transactionStart;
    private int txProfilesOfSession;
    private final ChargingProfiles profiles = new ChargingProfiles();
    private boolean paused;
    /** RESUMES_AT_FULL: the car draws all it can until the next SetChargingProfile. */
    private boolean atFull;
    private double lastInForce = Double.NaN;
    private double energyWh;
    private long energyAtNanos;
    private int meterIntervalSeconds;
    private ScheduledFuture<?> meterTask;
    private ScheduledFuture<?> evaluation;
    /** StopTransactions of cars that left while the connection was lost, for when it is back. */
    private final java.util.ArrayDeque<ObjectNode> queued = new java.util.ArrayDeque<>();
    /** Connected and booted: calls may be made. Set under this object's lock, with {@link #queued} empty. */
    private volatile boolean online;
    private volatile boolean closing;
    private Thread reconnecting;

    /** The message id of the StartTransaction in flight: its answer sets the transaction on the socket thread. */
    private volatile String startMessageId;
    /** What the car draws per phase now (A); read by the site's physical model. */
    volatile double drawA;
    /** The phases the car charges on (0: none plugged in). */
    volatile int carPhases;

    WireCharger(URI url, String id, Duration reaction, int meterIntervalSeconds, ScheduledExecutorService scheduler,
                Quirk... quirks) {
        this.id = id;
        this.reaction = reaction;
        this.meterIntervalSeconds = meterIntervalSeconds;
        this.scheduler = scheduler;
        this.quirks = quirks.length == 0 ? EnumSet.noneOf(Quirk.class) : EnumSet.of(quirks[0], quirks);
        socket = new WebSocketClient(url.resolve(id), new Draft_6455(List.of(),
                List.<IProtocol>of(new Protocol("ocpp1.6")))) {
            @Override
            public void onOpen(ServerHandshake handshake) {
            }

            @Override
            public void onMessage(String message) {
                try {
                    received((ArrayNode) JSON.readTree(message));
                } catch (Exception e) {
                    errors.incrementAndGet();
                }
            }

            @Override
            public void onClose(int code, String reason, boolean remote) {
                online = false;
                pending.values().forEach(f -> f.completeExceptionally(new IllegalStateException(
                        id + ": connection closed: " + code + " " + reason)));
                pending.clear();
                connectAgain();
            }

            @Override
            public void onError(Exception ex) {
            }
        };
    }

    /** Connects, boots until accepted and reports the connector Available. */
    void connect() throws Exception {
        if (!socket.connectBlocking(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException(id + ": cannot connect to " + socket.getURI());
        }
        boot();
        status("Available");
        synchronized (this) {
            online = true;
            evaluation = scheduler.scheduleAtFixedRate(this::evaluate, EVALUATE.toMillis(), EVALUATE.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    /** Whether calls can be made: connected and booted. */
    boolean online() {
        return online;
    }

    /** Whether a TxProfile is in force now (the car's transaction has one that is valid). */
    synchronized boolean txProfileInForce() {
        return transactionId != null && profiles.txProfileInForce(Instant.now(), transactionStart);
    }

    /** The limit of the TxDefaultProfile in force now, A per phase; NaN if it holds none. */
    synchronized double defaultLimitA() {
        return profiles.defaultLimitA(Instant.now(), transactionStart, car != null ? car.phases() : 3, VOLTS);
    }

    private void boot() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            JsonNode boot = call("BootNotification", JSON.createObjectNode().put("chargePointVendor", "Wires")
                    .put("chargePointModel", "Wallbox").put("chargePointSerialNumber", "SN-" + id)
                    .put("firmwareVersion", "1.0"));
            if (boot.path("status").asText().equals("Accepted")) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(id + ": not accepted: " + boot);
            }
            Thread.sleep(Math.max(1, boot.path("interval").asInt(1)) * 1000L);
        }
    }

    /** The connection was lost: tries again on a thread of its own (not the socket's), with a backoff. */
    private synchronized void connectAgain() {
        if (closing || reconnecting != null) {
            return;
        }
        reconnecting = new Thread(this::reconnect, id + "-reconnect");
        reconnecting.setDaemon(true);
        reconnecting.start();
    }

    private void reconnect() {
        long waitMs = FIRST_RETRY.toMillis();
        java.util.Random jitter = new java.util.Random(id.hashCode() + reconnects.get());
        while (!closing) {
            try {
                Thread.sleep(waitMs + (long) (jitter.nextDouble() * waitMs / 4));
                if (closing) {
                    return;
                }
                if (socket.reconnectBlocking()) {
                    if (quirks.contains(Quirk.BOOTS_ON_RECONNECT)) {
                        boot();
                    }
                    flushQueued();
                    reconnects.incrementAndGet();
                    synchronized (this) {
                        reconnecting = null;
                    }
                    if (!socket.isOpen()) {
                        connectAgain(); // lost again before this thread was done
                    }
                    return;
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                // the connection went again while booting or sending what was queued: wait and try again
                errors.incrementAndGet();
                socket.close();
            }
            waitMs = Math.min(MAX_RETRY.toMillis(), 2 * waitMs);
        }
    }

    /** Sends the StopTransactions queued while offline, then the connector's status; online once none is left. */
    private void flushQueued() throws Exception {
        while (true) {
            ObjectNode stop;
            synchronized (this) {
                stop = queued.peek();
                if (stop == null) {
                    break;
                }
            }
            call("StopTransaction", stop);
            synchronized (this) {
                queued.poll();
            }
        }
        String now;
        synchronized (this) {
            now = transactionId != null ? "Charging" : "Available";
        }
        status(now);
        synchronized (this) {
            if (queued.isEmpty()) {
                online = true;
                return;
            }
        }
        flushQueued(); // a car left meanwhile
    }

    /** Plugs a car in: Preparing, Authorize, StartTransaction, Charging; the car draws what the limit allows. */
    void plugIn(Car newCar) throws Exception {
        status("Preparing");
        String tag = "TAG-" + id;
        call("Authorize", JSON.createObjectNode().put("idTag", tag));
        int meterStart;
        synchronized (this) {
            meterStart = (int) energyWh;
        }
        synchronized (this) {
            car = newCar;
            carPhases = newCar.phases();
            transactionStart = Instant.now();
            txProfilesOfSession = 0;
            paused = false;
            atFull = false;
            energyAtNanos = System.nanoTime();
            lastInForce = inForceA();
        }
        String messageId = UUID.randomUUID().toString();
        startMessageId = messageId;
        callAsync(messageId, "StartTransaction", JSON.createObjectNode().put("connectorId", 1).put("idTag", tag)
                .put("meterStart", meterStart).put("timestamp", Instant.now().toString())).get(15, TimeUnit.SECONDS);
        synchronized (this) {
            lastInForce = inForceA();
            drawA = quirks.contains(Quirk.IGNORES_LIMITS) ? newCar.maxA() : carTarget(lastInForce);
            restartMeterValues();
        }
        status("Charging");
    }

    /**
     * The car leaves: StopTransaction with the register, Finishing, Available; offline, the StopTransaction is
     * queued for when the connection is back.
     */
    void unplug() throws Exception {
        Integer tx;
        ObjectNode stop;
        synchronized (this) {
            accumulate();
            tx = transactionId;
            stop = JSON.createObjectNode().put("transactionId", tx == null ? 0 : tx).put("meterStop",
                    (int) energyWh).put("timestamp", Instant.now().toString()).put("reason", "EVDisconnected");
            transactionId = null;
            transactionStart = null;
            profiles.transactionEnded();
            car = null;
            carPhases = 0;
            drawA = 0;
            if (meterTask != null) {
                meterTask.cancel(false);
                meterTask = null;
            }
            lastInForce = inForceA();
            if (tx != null && !online) {
                queued.add(stop);
                return;
            }
        }
        if (tx == null) {
            return;
        }
        status("Finishing");
        call("StopTransaction", stop);
        status("Available");
    }

    synchronized boolean charging() {
        return transactionId != null;
    }

    /** The transaction running, the TxProfiles it was given so far, and the limit in force (A; 0: paused). */
    record Session(int transactionId, int txProfiles, double limitA) {
    }

    /** The transaction running, null if none. */
    synchronized Session session() {
        return transactionId == null ? null : new Session(transactionId, txProfilesOfSession, inForceA());
    }

    /** The energy the charger counted so far, Wh. */
    synchronized double energyWh() {
        accumulate();
        return energyWh;
    }

    /** The current per site phase (L1..L3) the charger draws now. */
    double[] phaseA() {
        double a = drawA;
        int phases = carPhases;
        return new double[] {phases >= 1 ? a : 0, phases >= 2 ? a : 0, phases >= 3 ? a : 0};
    }

    // ---- the charger's side of OCPP ----

    private void received(ArrayNode frame) {
        int type = frame.get(0).intValue();
        String messageId = frame.get(1).textValue();
        if (type == 3 || type == 4) {
            CompletableFuture<JsonNode> f = pending.remove(messageId);
            if (type == 3 && messageId.equals(startMessageId)) {
                // the transaction exists from its answer on: a TxProfile may follow on the next frame
                synchronized (this) {
                    transactionId = frame.get(2).path("transactionId").intValue();
                }
            }
            if (f != null) {
                if (type == 3) {
                    f.complete(frame.get(2));
                } else {
                    errors.incrementAndGet();
                    f.completeExceptionally(new IllegalStateException(id + ": " + frame));
                }
            }
            return;
        }
        String action = frame.get(2).textValue();
        JsonNode payload = frame.get(3);
        ObjectNode answer;
        switch (action) {
            case "SetChargingProfile" -> answer = answer(setChargingProfile(payload));
            case "GetConfiguration" -> answer = getConfiguration(payload);
            case "ClearChargingProfile" -> answer = answer(clearChargingProfile(payload));
            case "ChangeConfiguration" -> answer = answer(changeConfiguration(payload));
            case "TriggerMessage" -> answer = answer(trigger(payload));
            default -> {
                otherCalls.incrementAndGet();
                socket.send("[4,\"" + messageId + "\",\"NotImplemented\",\"" + action + "\",{}]");
                return;
            }
        }
        socket.send("[3,\"" + messageId + "\"," + answer + "]");
    }

    private static ObjectNode answer(String status) {
        return JSON.createObjectNode().put("status", status);
    }

    private ObjectNode getConfiguration(JsonNode payload) {
        otherCalls.incrementAndGet();
        Map<String, String> keys;
        synchronized (this) {
            keys = Map.of("ChargingScheduleAllowedChargingRateUnit",
                    quirks.contains(Quirk.POWER_ONLY) ? "Power" : "Current",
                    "MeterValueSampleInterval", String.valueOf(meterIntervalSeconds),
                    "MeterValuesSampledData", "Current.Import,Energy.Active.Import.Register",
                    "ChargeProfileMaxStackLevel", "8",
                    "SupportedFeatureProfiles", "Core,SmartCharging,RemoteTrigger");
        }
        ObjectNode result = JSON.createObjectNode();
        ArrayNode known = result.putArray("configurationKey");
        ArrayNode unknown = JSON.createArrayNode();
        JsonNode asked = payload.path("key");
        if (asked.isArray() && asked.size() > 0) {
            for (JsonNode k : asked) {
                String name = keys.keySet().stream().filter(n -> n.equalsIgnoreCase(k.asText())).findFirst()
                        .orElse(null);
                if (name == null) {
                    unknown.add(k.asText());
                } else {
                    known.addObject().put("key", name).put("readonly", !name.equals("MeterValueSampleInterval"))
                            .put("value", keys.get(name));
                }
            }
        } else {
            keys.forEach((k, v) -> known.addObject().put("key", k).put("readonly",
                    !k.equals("MeterValueSampleInterval")).put("value", v));
        }
        if (unknown.size() > 0) {
            result.set("unknownKey", unknown);
        }
        return result;
    }

    private String changeConfiguration(JsonNode payload) {
        otherCalls.incrementAndGet();
        String key = payload.path("key").asText();
        if (!key.equalsIgnoreCase("MeterValueSampleInterval")) {
            return "NotSupported";
        }
        try {
            int seconds = Integer.parseInt(payload.path("value").asText());
            if (seconds < 1) {
                return "Rejected";
            }
            synchronized (this) {
                meterIntervalSeconds = seconds;
                restartMeterValues();
            }
            return "Accepted";
        } catch (NumberFormatException e) {
            return "Rejected";
        }
    }

    private String trigger(JsonNode payload) {
        otherCalls.incrementAndGet();
        String requested = payload.path("requestedMessage").asText();
        Runnable send = switch (requested) {
            case "MeterValues" -> this::meterValues;
            case "StatusNotification" -> () -> sendQuietly("StatusNotification", statusPayload(
                    charging() ? "Charging" : "Available"));
            case "Heartbeat" -> () -> sendQuietly("Heartbeat", JSON.createObjectNode());
            default -> null;
        };
        if (send == null) {
            return "NotImplemented";
        }
        scheduler.schedule(send, 50, TimeUnit.MILLISECONDS); // after the answer, as the specification asks
        return "Accepted";
    }

    private synchronized String clearChargingProfile(JsonNode payload) {
        otherCalls.incrementAndGet();
        String status = profiles.clear(payload);
        if (status.equals("Accepted")) {
            limitMayHaveChanged(false);
        }
        return status;
    }

    private synchronized String setChargingProfile(JsonNode payload) {
        profileCommands.incrementAndGet();
        JsonNode p = payload.path("csChargingProfiles");
        if (quirks.contains(Quirk.POWER_ONLY) && p.path("chargingSchedule").path("chargingRateUnit").asText()
                .equals("A")) {
            return "Rejected";
        }
        String status = profiles.set(payload.path("connectorId").asInt(-1), p, transactionId, Instant.now());
        if (!status.equals("Accepted")) {
            return status;
        }
        if (p.path("chargingProfilePurpose").asText().equals("TxProfile")) {
            txProfiles.incrementAndGet();
            txProfilesOfSession++;
        }
        limitMayHaveChanged(true);
        return "Accepted";
    }

    /** Every {@link #EVALUATE}: a profile ran out or a schedule's period began, the car follows. */
    private synchronized void evaluate() {
        if (inForceA() != lastInForce) {
            limitMayHaveChanged(false);
        }
    }

    /** The limit in force now, A per phase (the car's maximum, or 32 A, when none). */
    private double inForceA() {
        double max = car == null ? 32 : car.maxA();
        double limit = profiles.limitA(Instant.now(), transactionStart, car != null ? car.phases() : 3, VOLTS);
        if (Double.isNaN(limit)) {
            limit = max;
        }
        return limit < 6 ? 0 : Math.min(limit, max);
    }

    /** What the car draws at a limit: the limit, or all it can once RESUMES_AT_FULL resumed wrongly. */
    private double carTarget(double inForce) {
        if (car == null) {
            return 0;
        }
        return atFull && inForce > 0 ? car.maxA() : Math.min(inForce, car.maxA());
    }

    /** Caller holds the lock. The car reaches the limit in force now after the reaction time. */
    private void limitMayHaveChanged(boolean newProfile) {
        double inForce = inForceA();
        if (inForce != lastInForce) {
            limitChanges.incrementAndGet();
        }
        lastInForce = inForce;
        if (car == null || quirks.contains(Quirk.IGNORES_LIMITS)) {
            return;
        }
        if (quirks.contains(Quirk.RESUMES_AT_FULL)) {
            if (paused && inForce > 0) {
                atFull = true;
            } else if (newProfile) {
                atFull = false;
            }
            paused = inForce == 0;
        }
        double target = carTarget(inForce);
        scheduler.schedule(() -> follow(target), reaction.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void follow(double target) {
        if (car == null) {
            return;
        }
        accumulate();
        drawA = target;
    }

    /** Caller holds the lock: the register counts what the car drew since the last call. */
    private void accumulate() {
        long now = System.nanoTime();
        if (car != null) {
            energyWh += drawA * car.phases() * VOLTS * (now - energyAtNanos) / 3.6e12;
        }
        energyAtNanos = now;
    }

    /** Caller holds the lock. */
    private void restartMeterValues() {
        if (meterTask != null) {
            meterTask.cancel(false);
        }
        meterTask = transactionId == null ? null : scheduler.scheduleAtFixedRate(this::meterValues,
                meterIntervalSeconds, meterIntervalSeconds, TimeUnit.SECONDS);
    }

    private void meterValues() {
        ObjectNode p = JSON.createObjectNode().put("connectorId", 1);
        double wh;
        double a;
        int phases;
        synchronized (this) {
            if (transactionId == null || !online) {
                return; // offline: periodic values are not kept
            }
            accumulate();
            p.put("transactionId", transactionId);
            wh = energyWh;
            a = drawA;
            phases = car.phases();
        }
        ArrayNode values = p.putArray("meterValue").addObject().put("timestamp", Instant.now().toString())
                .putArray("sampledValue");
        for (int i = 1; i <= 3; i++) {
            values.addObject().put("value", String.format(Locale.ROOT, "%.1f", i <= phases ? a : 0))
                    .put("context", "Sample.Periodic").put("measurand", "Current.Import").put("phase", "L" + i)
                    .put("unit", "A");
        }
        values.addObject().put("value", String.format(Locale.ROOT, "%.0f", wh)).put("context", "Sample.Periodic")
                .put("measurand", "Energy.Active.Import.Register").put("unit", "Wh");
        sendQuietly("MeterValues", p);
    }

    private ObjectNode statusPayload(String status) {
        return JSON.createObjectNode().put("connectorId", 1).put("errorCode", "NoError").put("status", status)
                .put("timestamp", Instant.now().toString());
    }

    private void status(String status) throws Exception {
        call("StatusNotification", statusPayload(status));
    }

    /** A CALL whose answer nobody waits for (periodic MeterValues, triggered messages). */
    private void sendQuietly(String action, ObjectNode payload) {
        try {
            callAsync(action, payload);
        } catch (RuntimeException e) {
            errors.incrementAndGet(); // the connection is closing
        }
    }

    /** Sends a CALL and waits for its CALLRESULT's payload. */
    JsonNode call(String action, ObjectNode payload) throws Exception {
        return callAsync(action, payload).get(15, TimeUnit.SECONDS);
    }

    private CompletableFuture<JsonNode> callAsync(String action, ObjectNode payload) {
        return callAsync(UUID.randomUUID().toString(), action, payload);
    }

    private CompletableFuture<JsonNode> callAsync(String messageId, String action, ObjectNode payload) {
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(messageId, answer);
        socket.send("[2,\"" + messageId + "\",\"" + action + "\"," + payload + "]");
        return answer;
    }

    @Override
    public void close() throws InterruptedException {
        Thread r;
        synchronized (this) {
            closing = true;
            if (meterTask != null) {
                meterTask.cancel(false);
            }
            if (evaluation != null) {
                evaluation.cancel(false);
            }
            r = reconnecting;
        }
        if (r != null) {
            r.interrupt();
            r.join(5000);
        }
        socket.closeBlocking();
    }
}
