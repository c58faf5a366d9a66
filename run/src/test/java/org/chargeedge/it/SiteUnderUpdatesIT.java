package org.chargeedge.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import eu.chargetime.ocpp.model.Request;
import eu.chargetime.ocpp.model.core.MeterValuesRequest;
import eu.chargetime.ocpp.model.core.StartTransactionRequest;
import eu.chargetime.ocpp.model.core.StopTransactionRequest;

/**
 * The site while its bundles are swapped: {@value #CHARGERS} chargers run transactions through the
 * gateway (a child process on the shipped configuration, a CSMS upstream) while the upstream,
 * store, authorization, energy and MQTT bundles are in turn stopped and started, then updated to a
 * newer version by an update job ({@code chargeedge:update}: verified, applied, committed once the
 * site is healthy), through the gateway's own shell; then the OCPP server itself (the central system
 * bundle) is updated the same way; then the gateway is killed with SIGKILL once and started again.
 *
 * <p>During the swaps no charger sees a CALLERROR or a dropped connection, and every StartTransaction
 * is decided by the local list (the built-in policy is RejectAll; the list accepts the chargers'
 * cards). The OCPP server's update closes every connection once, with 1001 (going away), and every
 * charger, trying again every {@value #RETRY_MILLIS} ms as a charger does, is back within that retry
 * time of the port opening again; a message whose answer the closed connection took with it is sent
 * again. The CSMS gets nothing twice while the bundles are swapped. Afterwards it has every
 * transaction message a charger got an answer for, in the order the charger sent it. The kill may
 * repeat what OCPP cannot tell was received (the upstream readme): the one message in flight (at
 * most one start or stop per charger) and meter values the CSMS answered whose acknowledgement had
 * not committed; they are counted and reported.
 */
class SiteUnderUpdatesIT {

    private static final int CHARGERS = 20;
    private static final String OCPP_SERVER = "org.chargeedge.centralsystem";
    /** How long a test charger waits before it tries to connect again. */
    private static final long RETRY_MILLIS = 1000;
    private static final List<String> SWAPPED = List.of("org.chargeedge.upstream", "org.chargeedge.store",
            "org.chargeedge.authorization", "org.chargeedge.energy", "org.chargeedge.mqtt");
    /** The log line of a committed job; group 1 is what it applied. */
    private static final Pattern COMMITTED = Pattern.compile("Job \\d+ committed: healthy \\d+ s after applying (\\S+)");
    private static final Pattern BUNDLE_LINE = Pattern.compile("^\\s*(\\d+)\\|\\s*\\w+\\s*\\|\\s*\\d+\\|(\\S+)");

    private final Path work = GatewayRuntime.itDir().resolve("SiteUnderUpdatesIT");
    private final int port = GatewayRuntime.freePort();
    private final int csmsPort = GatewayRuntime.freePort();
    private final List<Process> gateways = new ArrayList<>();
    private final List<TestCharger> chargers = new ArrayList<>();
    private RecordingCsms csms;
    private Path log;

    @BeforeEach
    void prepare() throws Exception {
        GatewayRuntime.deleteTree(work);
        Path config = work.resolve("config");
        Files.createDirectories(config);
        GatewayRuntime.copyShippedConfig(config);
        // A start answered without the local list would get the built-in RejectAll.
        Files.writeString(config.resolve("org.chargeedge.centralsystem.cfg"),
                Files.readString(config.resolve("org.chargeedge.centralsystem.cfg"))
                        .replace("authorizationPolicy = AcceptAll", "authorizationPolicy = RejectAll"));
        Files.writeString(config.resolve("org.chargeedge.authorization.cfg"), "unknownIdTagStatus = Invalid\n");
        StringBuilder list = new StringBuilder("{\"version\": 1, \"entries\": [");
        for (int n = 0; n < CHARGERS; n++) {
            list.append(n == 0 ? "" : ",").append("{\"idTag\": \"TAG-").append(n).append("\", \"status\": \"Accepted\"}");
        }
        Files.writeString(config.resolve("local-auth-list.json"), list.append("]}").toString());
        Files.writeString(config.resolve("org.chargeedge.upstream.cfg"), String.join("\n",
                "url = ws://127.0.0.1:" + csmsPort + "/csms",
                "reconnectMinMillis = 100",
                "reconnectMaxMillis = 500",
                "replayRatePerSecond = 0",
                ""));
        csms = new RecordingCsms(csmsPort, 70001);
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        chargers.forEach(TestCharger::finish);
        for (Process g : gateways) {
            g.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        csms.close();
    }

    @Test
    void nothingIsLostOrDuplicatedWhileBundlesAreSwappedAndTheGatewayIsKilled() throws Exception {
        Process gateway = gateway(1);
        for (int n = 0; n < CHARGERS; n++) {
            TestCharger cp = new TestCharger(n);
            chargers.add(cp);
            cp.start();
        }
        waitFor("every charger transacting", 30, () -> chargers.stream().allMatch(c -> c.answered.size() > 3));
        // How long the chargers' calls wait with nothing being changed, to compare with the jobs' windows.
        long quietFrom = System.nanoTime();
        Thread.sleep(3000);
        List<long[]> quiet = List.of(new long[] {quietFrom, System.nanoTime()});
        List<long[]> duringJobs = new ArrayList<>();
        Map<String, long[]> jobWindows = new LinkedHashMap<>();

        Map<String, Long> ids = bundleIds(gateway);
        Map<String, Long> jobMillis = new LinkedHashMap<>();
        Map<String, String> jars = new LinkedHashMap<>();
        for (Path jar : GatewayRuntime.distributionJars()) {
            jars.put(GatewayRuntime.symbolicName(GatewayRuntime.manifest(jar)), jar.toUri().toString());
        }
        for (String bundle : SWAPPED) {
            long id = ids.get(bundle);
            shell(gateway, "stop " + id);
            Thread.sleep(400);
            shell(gateway, "start " + id);
            Thread.sleep(800);
            long[] window = update(gateway, bundle, jars.get(bundle), jobMillis);
            duringJobs.add(window);
            jobWindows.put(bundle, window);
            Thread.sleep(500);
        }
        Thread.sleep(500);
        for (TestCharger cp : chargers) {
            assertThat(cp.problems).as("%s during the swaps", cp.id).isEmpty();
            assertThat(cp.drops.get()).as("%s connections dropped during the swaps", cp.id).isZero();
            assertThat(cp.closes).as("%s connections closed during the swaps", cp.id).isEmpty();
        }

        // The OCPP server itself: its update closes every charger's connection; they come back.
        Map<String, Integer> answeredBeforeServerUpdate = new LinkedHashMap<>();
        chargers.forEach(c -> answeredBeforeServerUpdate.put(c.id, c.answered.size()));
        update(gateway, OCPP_SERVER, jars.get(OCPP_SERVER), jobMillis);
        waitFor("every charger back and transacting", 30, () -> chargers.stream()
                .allMatch(c -> !c.reconnects.isEmpty() && c.answered.size() > answeredBeforeServerUpdate.get(c.id) + 4));
        long portOpenAgain = chargers.stream().mapToLong(c -> c.reconnects.get(0)).min().orElseThrow();
        long slowestReconnect = 0;
        for (TestCharger cp : chargers) {
            assertThat(cp.problems).as("%s while the OCPP server was updated", cp.id).isEmpty();
            assertThat(cp.closes).as("%s: closed once, going away", cp.id)
                    .containsExactly(new OcppTestClient.Close(1001, cp.closes.isEmpty() ? "" : cp.closes.get(0).reason()));
            assertThat(cp.reconnects).as("%s reconnected once", cp.id).hasSize(1);
            long late = TimeUnit.NANOSECONDS.toMillis(cp.reconnects.get(0) - portOpenAgain);
            // A connection attempt takes a few ms more than the wait before it; the machine is shared.
            assertThat(late).as("%s back within its retry time of the port opening", cp.id)
                    .isLessThanOrEqualTo(RETRY_MILLIS + 500);
            slowestReconnect = Math.max(slowestReconnect, TimeUnit.NANOSECONDS.toMillis(cp.reconnects.get(0)
                    - cp.closedAt.get(0)));
        }
        long serverDown = slowestReconnect;
        int resent = chargers.stream().mapToInt(c -> c.resent.get()).sum();

        int answeredBeforeKill = chargers.stream().mapToInt(c -> c.answered.size()).sum();
        String swaps = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(swaps).as("the site waited for what was swapped").contains("Site not ready")
                .as("no update job rolled back").doesNotContain("rolls back");

        gateway.destroyForcibly();
        assertThat(gateway.waitFor(10, TimeUnit.SECONDS)).isTrue();
        int atKill = csms.received.size();
        gateway(2);
        waitFor("transactions after the restart", 30, () -> chargers.stream().mapToInt(c -> c.answered.size()).sum()
                > answeredBeforeKill + 5 * CHARGERS);

        chargers.forEach(TestCharger::finishTransaction);
        for (TestCharger cp : chargers) {
            assertThat(cp.join(30)).as("%s finished", cp.id).isTrue();
        }
        long stops = chargers.stream().flatMap(c -> c.answered.stream()).filter(m -> m.startsWith("Stop:")).count();
        waitFor("every stop at the CSMS", 60, () -> csms.received.stream()
                .filter(r -> r.request() instanceof StopTransactionRequest).count() >= stops);
        Thread.sleep(500); // a duplicate would arrive now

        int repeatedMeterValues = 0;
        for (TestCharger cp : chargers) {
            assertThat(cp.problems).as("%s after the restart", cp.id).isEmpty();
            List<String> before = new ArrayList<>();
            List<String> all = new ArrayList<>();
            for (int i = 0; i < csms.received.size(); i++) {
                RecordingCsms.Received r = csms.received.get(i);
                String d = r.session().endsWith("/" + cp.id) ? describe(r.request()) : null;
                if (d != null) {
                    all.add(d);
                    if (i < atKill) {
                        before.add(d);
                    }
                }
            }
            assertThat(before).as("%s: nothing sent twice while the bundles were swapped", cp.id)
                    .doesNotHaveDuplicates();
            List<String> distinct = new ArrayList<>(new java.util.LinkedHashSet<>(all));
            assertThat(distinct).as("%s: what the CSMS has, in order", cp.id).isEqualTo(cp.answered);
            // The kill may repeat what was in flight (one start or stop at most) and meter values the CSMS had
            // answered whose acknowledgement was not yet durable; nothing else.
            int repeatedStartsAndStops = 0;
            for (String d : distinct) {
                int times = Collections.frequency(all, d);
                if (times > 1) {
                    assertThat(before).as("%s: %s repeated, but not in flight at the kill", cp.id, d).contains(d);
                    if (d.startsWith("MeterValues:")) {
                        repeatedMeterValues += times - 1;
                    } else {
                        repeatedStartsAndStops += times - 1;
                    }
                }
            }
            assertThat(repeatedStartsAndStops).as("%s: starts and stops repeated after the kill", cp.id)
                    .isLessThanOrEqualTo(1);
        }
        int repeated = repeatedMeterValues;
        System.out.printf("SiteUnderUpdatesIT: %d transaction messages answered, %d meter values repeated after the"
                + " kill; update jobs from request to committed (ms, as the test saw them): %s%n",
                chargers.stream().mapToInt(c -> c.answered.size()).sum(), repeated, jobMillis);
        Map<String, String> latencyPerJob = new LinkedHashMap<>();
        jobWindows.forEach((bundle, window) -> latencyPerJob.put(bundle, latency(List.of(window))));
        System.out.printf("SiteUnderUpdatesIT: chargers' call latency (ms) with nothing changing: %s; during the"
                + " update jobs: %s; per job: %s%n", latency(quiet), latency(duringJobs), latencyPerJob);
        System.out.printf("SiteUnderUpdatesIT: OCPP server update: every charger back %d ms after its connection"
                + " closed at most (retry every %d ms); %d messages sent again on the new connection%n",
                serverDown, RETRY_MILLIS, resent);
    }

    /**
     * A real update as an operator makes it: a newer version of the bundle, as a job that verifies the jar,
     * applies it, and commits once the site is healthy again (or rolls back, which fails the test). Notes the
     * time from request to committed in {@code jobMillis}; returns that window (System.nanoTime()).
     */
    private long[] update(Process gateway, String bundle, String jarUri, Map<String, Long> jobMillis) throws Exception {
        Path newer = GatewayRuntime.withVersion(Path.of(java.net.URI.create(jarUri)), "0.1.1",
                work.resolve(bundle + "-0.1.1.jar"));
        long submitted = System.nanoTime();
        shell(gateway, "chargeedge:update " + newer + " " + GatewayRuntime.sha256(newer));
        waitFor(bundle + "'s update job committed", 60, () -> logMatches(COMMITTED, bundle));
        long committed = System.nanoTime();
        jobMillis.put(bundle, TimeUnit.NANOSECONDS.toMillis(committed - submitted));
        return new long[] {submitted, committed};
    }

    /**
     * p50, p99 and max of the chargers' calls that were waiting at some time within the windows
     * (System.nanoTime() from, to): sent before a window's end and answered after its start.
     */
    private String latency(List<long[]> windows) {
        List<Long> nanos = new ArrayList<>();
        for (TestCharger cp : chargers) {
            for (long[] call : cp.latencies) {
                for (long[] w : windows) {
                    if (call[0] <= w[1] && call[0] + call[1] >= w[0]) {
                        nanos.add(call[1]);
                        break;
                    }
                }
            }
        }
        assertThat(nanos).as("calls measured in %d windows", windows.size()).isNotEmpty();
        Collections.sort(nanos);
        return String.format("n=%d p50=%.1f p99=%.1f max=%.1f", nanos.size(), percentile(nanos, 0.50) / 1e6,
                percentile(nanos, 0.99) / 1e6, nanos.get(nanos.size() - 1) / 1e6);
    }

    private static long percentile(List<Long> sorted, double p) {
        return sorted.get(Math.max(0, (int) Math.ceil(p * sorted.size()) - 1));
    }

    /** A transaction message as the test compares it: its action and what identifies it. */
    private static String describe(Request r) {
        if (r instanceof StartTransactionRequest s) {
            return "Start:" + s.getIdTag() + ":" + s.getMeterStart();
        }
        if (r instanceof MeterValuesRequest m) {
            return "MeterValues:" + m.getMeterValue()[0].getSampledValue()[0].getValue();
        }
        if (r instanceof StopTransactionRequest s) {
            return "Stop:" + s.getMeterStop();
        }
        return null;
    }

    private Process gateway(int n) throws Exception {
        log = work.resolve("gateway-" + n + ".log");
        Process p = GatewayRuntime.startProcess(work, work.resolve("data"), log,
                Map.of("CHARGEEDGE_OCPP_PORT", String.valueOf(port)), true);
        gateways.add(p);
        waitFor("the site ready", 30, () -> logContains("Site ready"));
        return p;
    }

    private boolean logContains(String text) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether a line of the log matches, with {@code group} as its first group. */
    private boolean logMatches(Pattern pattern, String group) {
        try {
            Matcher m = pattern.matcher(Files.readString(log, StandardCharsets.UTF_8));
            while (m.find()) {
                if (m.group(1).equals(group)) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    private static void shell(Process gateway, String command) throws IOException {
        OutputStream in = gateway.getOutputStream();
        in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** The bundle ids by symbolic name, from the shell's {@code lb -s}. */
    private Map<String, Long> bundleIds(Process gateway) throws Exception {
        shell(gateway, "lb -s");
        Map<String, Long> ids = new LinkedHashMap<>();
        waitFor("the bundle list", 10, () -> {
            try {
                for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                    Matcher m = BUNDLE_LINE.matcher(line);
                    if (m.find()) {
                        ids.put(m.group(2), Long.parseLong(m.group(1)));
                    }
                }
            } catch (IOException e) {
                return false;
            }
            return ids.keySet().containsAll(SWAPPED) && ids.containsKey(OCPP_SERVER);
        });
        return ids;
    }

    private static void waitFor(String what, int seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("%s within %d s", what, seconds).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /**
     * A charger on its own thread: boots, then runs transactions (a start, three meter values, a
     * stop) until told to finish. A message whose connection dropped before its answer is sent again
     * after it reconnects, as a charger does; every transaction message answered is noted in order.
     */
    private final class TestCharger extends Thread {
        final String id;
        final int n;
        /** The transaction messages answered with a CALLRESULT, described as the CSMS check compares them. */
        final List<String> answered = new CopyOnWriteArrayList<>();
        final List<String> problems = new CopyOnWriteArrayList<>();
        final AtomicInteger drops = new AtomicInteger();
        /** How the gateway closed this charger's connections, and when (System.nanoTime()), in order. */
        final List<OcppTestClient.Close> closes = new CopyOnWriteArrayList<>();
        final List<Long> closedAt = new CopyOnWriteArrayList<>();
        /** When a connection after a closed one was open (System.nanoTime()). */
        final List<Long> reconnects = new CopyOnWriteArrayList<>();
        /** Calls sent again because the connection closed before their answer. */
        final AtomicInteger resent = new AtomicInteger();
        /** Each answered call: when it was sent and how long its answer took (nanoseconds); this thread adds. */
        final java.util.Queue<long[]> latencies = new java.util.concurrent.ConcurrentLinkedQueue<>();
        private final AtomicBoolean finishTransaction = new AtomicBoolean();
        private final AtomicBoolean finish = new AtomicBoolean();
        private OcppTestClient client;
        private int counter;

        TestCharger(int n) {
            super("test-charger-" + n);
            this.n = n;
            this.id = "SWAP-" + n;
            setDaemon(true);
        }

        void finishTransaction() {
            finishTransaction.set(true);
        }

        void finish() {
            finish.set(true);
            interrupt();
        }

        boolean join(int seconds) throws InterruptedException {
            join(TimeUnit.SECONDS.toMillis(seconds));
            return !isAlive();
        }

        @Override
        public void run() {
            try {
                connect();
                call("BootNotification", OcppTestClient.object().put("chargePointVendor", "Swap")
                        .put("chargePointModel", "M"), null);
                while (!finishTransaction.get() && !finish.get()) {
                    int meter = ++counter * 1000 + n;
                    JsonNode start = call("StartTransaction", OcppTestClient.object().put("connectorId", 1)
                            .put("idTag", "TAG-" + n).put("meterStart", meter).put("timestamp", Instant.now().toString()),
                            "Start:TAG-" + n + ":" + meter);
                    String status = start.path("idTagInfo").path("status").asText();
                    if (!status.equals("Accepted")) {
                        problems.add("StartTransaction answered " + status + ": not decided by the local list");
                    }
                    int tx = start.get("transactionId").asInt();
                    for (int i = 1; i <= 3; i++) {
                        Thread.sleep(60);
                        String value = meter + "." + i;
                        ObjectNode mv = OcppTestClient.object().put("connectorId", 1).put("transactionId", tx);
                        mv.putArray("meterValue").addObject().put("timestamp", Instant.now().toString())
                                .putArray("sampledValue").addObject().put("value", value);
                        call("MeterValues", mv, "MeterValues:" + value);
                    }
                    call("StopTransaction", OcppTestClient.object().put("transactionId", tx).put("meterStop", meter + 9)
                            .put("timestamp", Instant.now().toString()), "Stop:" + (meter + 9));
                }
            } catch (InterruptedException e) {
                // finished
            } catch (Exception e) {
                problems.add(e.toString());
            } finally {
                if (client != null) {
                    client.close();
                }
            }
        }

        private void connect() throws InterruptedException {
            boolean again = client != null;
            while (!finish.get()) {
                try {
                    OcppTestClient c = OcppTestClient.connect(port, id);
                    if (again) {
                        reconnects.add(System.nanoTime());
                    }
                    // Closes the test causes itself (finish) are not the gateway's.
                    c.closed().thenAccept(close -> {
                        if (!finish.get()) {
                            closedAt.add(System.nanoTime());
                            closes.add(close);
                        }
                    });
                    client = c;
                    return;
                } catch (Exception e) {
                    Thread.sleep(again ? RETRY_MILLIS : 20);
                }
            }
            throw new InterruptedException();
        }

        /** Sends until answered: again on a new connection when this one dropped before the answer. */
        private JsonNode call(String action, ObjectNode payload, String described) throws Exception {
            while (true) {
                if (client.closed().isDone()) {
                    drops.incrementAndGet();
                    connect();
                }
                JsonNode answer;
                long sent = System.nanoTime();
                try {
                    answer = client.call(action, payload);
                    latencies.add(new long[] {sent, System.nanoTime() - sent});
                } catch (AssertionError e) {
                    if (client.closed().isDone()) {
                        resent.incrementAndGet();
                        continue;
                    }
                    throw e;
                }
                if (answer.get(0).asInt() != 3) {
                    problems.add(action + " answered " + answer);
                    throw new IllegalStateException(id + ": " + action + " answered " + answer);
                }
                if (described != null) {
                    answered.add(described);
                }
                return answer.get(2);
            }
        }
    }
}
