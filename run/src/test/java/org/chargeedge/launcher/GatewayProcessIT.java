package org.chargeedge.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.chargeedge.it.GatewayRuntime;
import org.chargeedge.it.OcppTestClient;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TestName;

/**
 * The gateway as operators run it: {@code java -jar chargeedge-gateway.jar}
 * as a child process, on the distribution in target/gateway.
 */
public class GatewayProcessIT {

    private static final Pattern BUNDLE_LINE = Pattern.compile("^\\s*(\\d+)\\|(\\w+)\\s*\\|\\s*\\d+\\|(\\S+) \\(([^)]*)\\)",
            Pattern.MULTILINE);

    private static final Pattern STARTED = Pattern.compile("ChargeEdge gateway started in \\d+ ms");
    private static final Pattern BUNDLE_ID = Pattern.compile("Bundle ID: (\\d+)");
    private static final String MARKER_LINE = "org.chargeedge.it.marker (1.0.0)";

    private Path work;
    private final List<Process> processes = new ArrayList<>();
    private int logCount;

    @Rule
    public final TestName testName = new TestName();

    @Before
    public void cleanWorkDir() throws IOException {
        work = GatewayRuntime.itDir().resolve("GatewayProcessIT").resolve(testName.getMethodName());
        deleteTree(work);
        Files.createDirectories(work);
    }

    @After
    public void killLeftovers() throws InterruptedException {
        for (Process p : processes) {
            if (p.isAlive()) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** A started gateway process, its output file and its stdin (open when it runs the shell). */
    private record Gateway(Process process, Path log, Writer stdin) {
        String output() throws IOException {
            return Files.readString(log, StandardCharsets.UTF_8);
        }

        /** Waits until the output (from {@code offset} on) matches; returns the match. */
        Matcher awaitOutput(Pattern pattern, int offset) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                String out = output();
                Matcher m = pattern.matcher(out.length() > offset ? out.substring(offset) : "");
                if (m.find()) {
                    return m;
                }
                if (!process.isAlive()) {
                    break;
                }
                Thread.sleep(50);
            }
            fail("no " + pattern + " in the gateway output (alive: " + process.isAlive() + "):\n" + output());
            return null;
        }

        /** Sends a shell command and waits for its output to contain {@code expected}; returns that output. */
        String shell(String command, String expected) throws Exception {
            int offset = output().length();
            stdin.write(command + "\n");
            stdin.flush();
            awaitOutput(Pattern.compile(Pattern.quote(expected)), offset);
            return output().substring(offset);
        }
    }

    private Gateway start(Path data, Path config, Map<String, String> env, boolean console) throws IOException {
        Path jar = GatewayRuntime.gatewayDir().resolve("chargeedge-gateway.jar");
        assertTrue(jar + " missing: run mvn package first", Files.isRegularFile(jar));
        Path log = work.resolve("gateway-" + (++logCount) + ".log");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), "--data", data.toString(), "--config", config.toString(),
                console ? "--console" : "--no-console")
                .directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().remove("CHARGEEDGE_OCPP_PORT");
        pb.environment().putAll(env);
        if (!console) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process p = pb.start();
        processes.add(p);
        Writer stdin = console ? new java.io.OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8) : null;
        return new Gateway(p, log, stdin);
    }

    private Path config(String name, int port) throws IOException {
        Path dir = work.resolve(name);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("org.chargeedge.centralsystem.cfg"),
                "host = 127.0.0.1\nport = " + port + "\npathPrefix = /ocpp/\nunknownChargers = Open\n");
        return dir;
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Waits for the launcher's "started" line (framework at its start level), then for the port. */
    private static void awaitPort(Gateway gw, int port) throws Exception {
        gw.awaitOutput(STARTED, 0);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!listening(port)) {
            if (!gw.process().isAlive() || System.nanoTime() > deadline) {
                fail("gateway started but not listening on " + port + " (alive: " + gw.process().isAlive() + "):\n"
                        + gw.output());
            }
            Thread.sleep(50);
        }
    }

    /** Sends SIGTERM (Process.destroy() on Linux) and returns the exit code. */
    private static int terminate(Gateway gw) throws Exception {
        gw.process().destroy();
        assertTrue("gateway did not stop within 30 s after SIGTERM:\n" + gw.output(),
                gw.process().waitFor(30, TimeUnit.SECONDS));
        return gw.process().exitValue();
    }

    @Test
    public void localAuthorizationListIsKeptInTheStoreAcrossARestart() throws Exception {
        Path data = work.resolve("data");
        int port = GatewayRuntime.freePort();
        Path config = config("config", port);
        Files.writeString(config.resolve("org.chargeedge.authorization.cfg"), "unknownIdTagStatus = Invalid\n");
        Files.writeString(config.resolve("local-auth-list.json"), """
                {"version": 3, "entries": [
                  {"idTag": "CARD-A", "status": "Accepted"},
                  {"idTag": "CARD-B", "status": "Blocked"}]}
                """);
        Gateway first = start(data, config, Map.of(), false);
        awaitPort(first, port);
        try (OcppTestClient cp = OcppTestClient.connect(port, "AUTH-1")) {
            assertEquals("Accepted", authorize(cp, "CARD-A"));
            assertEquals("Blocked", authorize(cp, "CARD-B"));
            assertEquals("Invalid", authorize(cp, "CARD-C"));
        }
        terminate(first);

        // A file with a lower version is ignored: the list comes from the store.
        Files.writeString(config.resolve("local-auth-list.json"), """
                {"version": 2, "entries": [{"idTag": "CARD-A", "status": "Blocked"}]}
                """);
        Gateway second = start(data, config, Map.of(), false);
        awaitPort(second, port);
        try (OcppTestClient cp = OcppTestClient.connect(port, "AUTH-1")) {
            assertEquals("Accepted", authorize(cp, "CARD-A"));
            assertEquals("Blocked", authorize(cp, "CARD-B"));
        }
        terminate(second);
    }

    private static String authorize(OcppTestClient cp, String idTag) throws Exception {
        return cp.callResult("Authorize", OcppTestClient.object().put("idTag", idTag))
                .get("idTagInfo").get("status").asText();
    }

    @Test
    public void sigtermClosesChargerConnectionsWithGoingAway() throws Exception {
        int port = GatewayRuntime.freePort();
        Gateway gw = start(work.resolve("data"), config("config", port), Map.of(), false);
        awaitPort(gw, port);
        try (OcppTestClient cp = OcppTestClient.connect(port, "PROC-1")) {
            assertEquals("Accepted", cp.boot("ProcVendor", "ProcModel", null).path("status").asText());
            int exit = terminate(gw);
            OcppTestClient.Close close = cp.closed().get(5, TimeUnit.SECONDS);
            assertEquals("close frame: " + close, 1001, close.code());
            assertTrue(gw.output(), gw.output().contains("OCPP central system stopped"));
            // 143 (128 + SIGTERM) is the JVM's status after a clean stop on SIGTERM; the systemd unit
            // in docs/operations.md accepts it (SuccessExitStatus=143). 0 would do as well.
            assertTrue("exit code after SIGTERM: " + exit + "; output:\n" + gw.output(), exit == 143 || exit == 0);
        }
    }

    @Test
    public void environmentVariableMovesThePort() throws Exception {
        int configured = GatewayRuntime.freePort();
        int fromEnv = GatewayRuntime.freePort();
        Gateway gw = start(work.resolve("data"), config("config", configured),
                Map.of("CHARGEEDGE_OCPP_PORT", String.valueOf(fromEnv)), false);
        awaitPort(gw, fromEnv);
        try (OcppTestClient cp = OcppTestClient.connect(fromEnv, "ENV-1")) {
            assertEquals("Accepted", cp.boot("EnvVendor", "EnvModel", null).path("status").asText());
        }
        assertFalse("still listening on the configured port " + configured, listening(configured));
        String out = gw.output();
        assertTrue(out, out.contains("CHARGEEDGE_OCPP_PORT=" + fromEnv + " overrides port"));
        // The override is in place before the central system first starts: it never listened on the file's port.
        assertFalse(out, out.contains("listening on ws://127.0.0.1:" + configured + "/"));
        assertEquals(0, terminateQuietly(gw));
    }

    @Test
    public void bundlesInstalledAndUpdatedAtRunTimeSurviveARestart() throws Exception {
        Path data = work.resolve("data");
        int port = GatewayRuntime.freePort();
        Path config = config("config", port);
        Path marker = markerBundle(work.resolve("marker.jar"));
        Path shellJar = GatewayRuntime.distributionJars().stream()
                .filter(j -> "org.chargeedge.shell".equals(GatewayRuntime.symbolicName(GatewayRuntime.manifest(j))))
                .findFirst().orElseThrow();
        Path shellUpdate = GatewayRuntime.withVersion(shellJar, "0.1.1.ittest", work.resolve("shell-update.jar"));

        Gateway first = start(data, config, Map.of(), true);
        awaitPort(first, port);
        // An operator installs a bundle and updates a distribution bundle to a higher version, in the shell.
        Matcher id = BUNDLE_ID.matcher(first.shell("install " + marker.toUri(), "Bundle ID:"));
        assertTrue(id.find());
        first.shell("start " + id.group(1), "g! ");
        int shellId = bundles(first.shell("lb -s", MARKER_LINE)).stream()
                .filter(b -> b[2].equals("org.chargeedge.shell")).map(b -> Integer.parseInt(b[0])).findFirst()
                .orElseThrow();
        first.shell("update " + shellId + " " + shellUpdate.toUri(), "g! ");
        List<String[]> before = bundles(first.shell("lb -s", MARKER_LINE));
        assertBundle(before, "org.chargeedge.it.marker", "1.0.0", "Active");
        assertBundle(before, "org.chargeedge.shell", "0.1.1.ittest", "Active");
        assertEquals(0, terminateQuietly(first));

        Gateway second = start(data, config, Map.of(), true);
        awaitPort(second, port);
        List<String[]> after = bundles(second.shell("lb -s", MARKER_LINE));
        assertBundle(after, "org.chargeedge.it.marker", "1.0.0", "Active");
        // The launcher keeps a bundle updated at run time to a higher version than the distribution's.
        assertBundle(after, "org.chargeedge.shell", "0.1.1.ittest", "Active");
        // The updated shell works against the running central system.
        try (OcppTestClient cp = OcppTestClient.connect(port, "RESTART-1")) {
            cp.boot("RsVendor", "RsModel", null);
            second.shell("chargeedge:chargers", "RESTART-1");
        }
        assertEquals(0, terminateQuietly(second));
    }

    /** Exit code after SIGTERM, with the JVM's 143 for a clean stop on SIGTERM given as 0. */
    private static int terminateQuietly(Gateway gw) throws Exception {
        int exit = terminate(gw);
        return exit == 143 ? 0 : exit;
    }

    private static void assertBundle(List<String[]> bundles, String bsn, String version, String state) {
        String[] b = bundles.stream().filter(x -> x[2].equals(bsn)).findFirst()
                .orElseThrow(() -> new AssertionError(bsn + " not installed; bundles: "
                        + bundles.stream().map(x -> x[2]).toList()));
        assertEquals(bsn + " version", version, b[3]);
        assertEquals(bsn + " state", state, b[1]);
    }

    /** id, state, symbolic name, version of each line of {@code lb -s}. */
    private static List<String[]> bundles(String lbOutput) {
        List<String[]> out = new ArrayList<>();
        Matcher m = BUNDLE_LINE.matcher(lbOutput);
        while (m.find()) {
            out.add(new String[] {m.group(1), m.group(2), m.group(3), m.group(4)});
        }
        return out;
    }

    /** A bundle with nothing but a manifest: enough to be installed, started and listed. */
    private static Path markerBundle(Path jar) throws IOException {
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", "org.chargeedge.it.marker");
        a.putValue("Bundle-Version", "1.0.0");
        a.putValue("Bundle-Name", "ChargeEdge IT marker");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jo = new JarOutputStream(out, mf)) {
            jo.putNextEntry(new JarEntry("marker.txt"));
            jo.write("installed at run time by GatewayProcessIT\n".getBytes(StandardCharsets.UTF_8));
            jo.closeEntry();
        }
        return jar;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted((x, y) -> y.getNameCount() - x.getNameCount()).toList()) {
                Files.delete(p);
            }
        }
    }
}
