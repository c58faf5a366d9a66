package org.chargeedge.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.chargeedge.it.GatewayRuntime;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TestName;

/**
 * Update jobs in the gateway process, driven through its shell: a job whose
 * health never comes is killed with {@code kill -9} in the middle and resumed
 * by the next start, which commits it when the site has become healthy, or
 * rolls it back when it has not; and a second job is refused meanwhile. A
 * bundle of the distribution uninstalled by a job stays away after a restart.
 */
public class ManagementJobIT {

    private static final String ENERGY = "org.chargeedge.energy";
    private static final Pattern STARTED = Pattern.compile("ChargeEdge gateway started in \\d+ ms");

    @Rule
    public final TestName testName = new TestName();
    private Path work;
    private final List<Process> processes = new ArrayList<>();

    @Before
    public void workDir() throws IOException {
        work = GatewayRuntime.itDir().resolve("ManagementJobIT").resolve(testName.getMethodName());
        if (Files.exists(work)) {
            try (Stream<Path> all = Files.walk(work)) {
                for (Path p : all.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(work);
    }

    @After
    public void killLeftovers() {
        processes.forEach(Process::destroyForcibly);
    }

    /** The gateway with its shell on stdin; output in a file. */
    private final class Shell {
        final Process process;
        final Path log;
        final Writer in;

        /** Starts the gateway and waits for the launcher's "started" line. */
        Shell(Path data, Path config, String name) throws Exception {
            log = work.resolve(name + ".log");
            process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                    GatewayRuntime.gatewayDir().resolve("chargeedge-gateway.jar").toString(), "--data",
                    data.toString(), "--config", config.toString(), "--console")
                    .directory(work.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            processes.add(process);
            in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            await(STARTED, 0, 30);
        }

        String text() throws IOException {
            return Files.readString(log, StandardCharsets.UTF_8);
        }

        /** Waits up to {@code seconds} for the output after {@code from} to match. */
        Matcher await(Pattern p, int from, int seconds) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            do {
                String all = text();
                Matcher m = p.matcher(all.substring(Math.min(from, all.length())));
                if (m.find()) {
                    return m;
                }
                Thread.sleep(100);
            } while (System.nanoTime() < deadline && process.isAlive());
            fail("no " + p + " within " + seconds + " s (alive: " + process.isAlive() + "):\n" + text());
            return null;
        }

        /** Runs a command; waits for {@code expected} in what follows it. */
        String run(String command, String expected) throws Exception {
            int from = text().length();
            in.write(command + "\n");
            in.flush();
            await(Pattern.compile(Pattern.quote(expected)), from, 20);
            return text().substring(from);
        }

        /** Polls {@code chargeedge:job ID} until its output contains {@code expected}. */
        String awaitJob(String id, String expected, int seconds) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            String out;
            do {
                out = run("chargeedge:job " + id, "Job " + id + " ");
                if (out.contains(expected)) {
                    return out;
                }
                Thread.sleep(300);
            } while (System.nanoTime() < deadline);
            fail("job " + id + " shows no '" + expected + "' within " + seconds + " s:\n" + out);
            return null;
        }

        void kill() throws Exception {
            process.destroyForcibly();
            assertTrue(process.waitFor(10, TimeUnit.SECONDS));
        }
    }

    /** Configuration in which the site never becomes ready: a required part nobody provides. */
    private Path config(int port, String requiredParts, int healthTimeoutSeconds) throws IOException {
        Path dir = Files.createDirectories(work.resolve("config"));
        Files.writeString(dir.resolve("org.chargeedge.centralsystem.cfg"), "host = 127.0.0.1\nport = " + port
                + "\nunknownChargers = Open\nrequiredParts = " + requiredParts + "\n");
        Files.writeString(dir.resolve("org.chargeedge.management.cfg"), "healthTimeoutSeconds = "
                + healthTimeoutSeconds + "\nhealthIntervalMillis = 200\n");
        return dir;
    }

    /** The distribution's energy bundle with another version: a real bundle, newer than the installed one. */
    private Path energyJar(String version) throws IOException {
        Path source;
        try (Stream<Path> jars = Files.list(GatewayRuntime.gatewayDir().resolve("bundles"))) {
            source = jars.filter(p -> p.getFileName().toString().startsWith(ENERGY + "-")).findFirst().orElseThrow();
        }
        return GatewayRuntime.withVersion(source, version, work.resolve(ENERGY + "-" + version + ".jar"));
    }

    /** Starts a job that waits for health (the site is never ready), checks a second one is refused, kills -9. */
    private String jobKilledWhileAwaitingHealth(Path data, Path config) throws Exception {
        Shell gw = new Shell(data, config, "first");
        Path jar = energyJar("9.9.9");
        String started = gw.run("chargeedge:update " + jar + " " + GatewayRuntime.sha256(jar), "started");
        Matcher id = Pattern.compile("Job (\\d+) started").matcher(started);
        assertTrue(started, id.find());
        String out = gw.awaitJob(id.group(1), "waiting for health: site parts not running: nowhere", 20);
        assertTrue(out, out.contains("Job " + id.group(1) + " AWAITING_HEALTH"));
        Path other = energyJar("9.9.10");
        assertTrue(gw.run("chargeedge:update " + other + " " + GatewayRuntime.sha256(other), "Refused")
                .contains("Refused (BUSY): job " + id.group(1) + " is AWAITING_HEALTH"));
        gw.kill();
        return id.group(1);
    }

    /** The version of the energy bundle, which must be active. */
    private static String energyVersion(Shell gw) throws Exception {
        String bundles = gw.run("chargeedge:bundles", ENERGY);
        Matcher m = Pattern.compile("ACTIVE\\s+" + Pattern.quote(ENERGY) + "\\s+(\\S+)").matcher(bundles);
        assertTrue(bundles, m.find());
        return m.group(1);
    }

    @Test
    public void aJobKilledWhileWaitingForHealthCommitsAtRestartOnceTheSiteIsHealthy() throws Exception {
        int port = GatewayRuntime.freePort();
        String id = jobKilledWhileAwaitingHealth(work.resolve("data"), config(port, "store,nowhere", 60));

        // the operator removes the part that never comes, then the gateway starts again
        Shell gw = new Shell(work.resolve("data"), config(port, "store", 60), "second");
        String out = gw.awaitJob(id, "Job " + id + " COMMITTED", 60);
        assertTrue(out, out.contains("the gateway restarted; waiting for health again"));
        assertEquals("9.9.9", energyVersion(gw));
        gw.kill();
    }

    @Test
    public void aJobKilledWhileWaitingForHealthRollsBackAtRestartWhenHealthNeverComes() throws Exception {
        Path data = work.resolve("data");
        int port = GatewayRuntime.freePort();
        String id = jobKilledWhileAwaitingHealth(data, config(port, "store,nowhere", 60));
        Path stillBroken = config(port, "store,nowhere", 3);

        Shell gw = new Shell(data, stillBroken, "second");
        assertTrue(gw.awaitJob(id, "Job " + id + " ROLLED_BACK", 60)
                .contains("not healthy within 3 s: site parts not running: nowhere"));
        String distribution = energyVersion(gw);
        assertTrue(distribution, distribution.startsWith("0."));
        gw.kill();
        // and it stays back after another restart
        Shell third = new Shell(data, stillBroken, "third");
        assertEquals(distribution, energyVersion(third));
        third.kill();
    }

    @Test
    public void anUninstalledDistributionBundleStaysAwayAfterARestart() throws Exception {
        Path data = work.resolve("data");
        Path config = config(GatewayRuntime.freePort(), "store", 30);
        Shell gw = new Shell(data, config, "first");
        String refused = gw.run("chargeedge:uninstall org.chargeedge.api", "Refused");
        assertTrue(refused, refused.contains("Refused (REFUSED): org.chargeedge.api is required by"));
        String started = gw.run("chargeedge:uninstall " + ENERGY, "started");
        Matcher id = Pattern.compile("Job (\\d+) started").matcher(started);
        assertTrue(started, id.find());
        String out = gw.awaitJob(id.group(1), "Job " + id.group(1) + " COMMITTED", 30);
        assertTrue(out, out.contains(ENERGY + " " + "0."));
        assertFalse(gw.run("chargeedge:bundles", "org.chargeedge.management").contains(ENERGY));
        assertTrue(Files.readString(data.resolve("management/removed-bundles")).contains(ENERGY));
        gw.kill();

        Shell second = new Shell(data, config, "second");
        assertFalse(second.run("chargeedge:bundles", "org.chargeedge.management").contains(ENERGY));
        second.kill();
    }

    @Test
    public void aFactoryResetRestoresTheDistributionAndTheConfigurationFilesAndKeepsTheData() throws Exception {
        Path data = work.resolve("data");
        Path config = config(GatewayRuntime.freePort(), "store", 30);
        Shell gw = new Shell(data, config, "first");
        Path jar = energyJar("9.9.9");
        Matcher update = Pattern.compile("Job (\\d+) started").matcher(gw.run("chargeedge:update " + jar + " "
                + GatewayRuntime.sha256(jar), "started"));
        assertTrue(update.find());
        gw.awaitJob(update.group(1), "Job " + update.group(1) + " COMMITTED", 30);
        Matcher uninstall = Pattern.compile("Job (\\d+) started").matcher(gw.run("chargeedge:uninstall"
                + " org.chargeedge.mqtt", "started"));
        assertTrue(uninstall.find());
        gw.awaitJob(uninstall.group(1), "Job " + uninstall.group(1) + " COMMITTED", 30);
        assertTrue(gw.run("chargeedge:config org.chargeedge.centralsystem readinessTimeoutSeconds=17", "Changed")
                .contains("readinessTimeoutSeconds = 17"));
        assertEquals("9.9.9", energyVersion(gw));
        List<String> storeFiles;
        try (Stream<Path> files = Files.list(data.resolve("store"))) {
            storeFiles = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertFalse(storeFiles.isEmpty());

        assertTrue(gw.run("chargeedge:factoryreset", "Nothing done").contains("chargeedge:factoryreset confirm"));
        gw.run("chargeedge:factoryreset confirm", "Factory reset requested");
        assertTrue("the gateway stops", gw.process.waitFor(30, TimeUnit.SECONDS));
        assertEquals("exit status for the supervisor to start it again", 75, gw.process.exitValue());
        assertTrue(gw.text().contains("ChargeEdge gateway stopped for a factory reset"));

        Shell second = new Shell(data, config, "second");
        assertTrue(second.text(), second.text().contains("Factory reset (requested by shell at "));
        String energy = energyVersion(second);
        assertTrue(energy, energy.startsWith("0."));
        assertTrue(second.run("chargeedge:bundles", "org.chargeedge.management").contains("org.chargeedge.mqtt"));
        assertFalse(second.run("chargeedge:config org.chargeedge.centralsystem", "port = ")
                .contains("readinessTimeoutSeconds = 17"));
        assertFalse(Files.exists(data.resolve("management/factory-reset")));
        assertFalse(Files.exists(data.resolve("management/removed-bundles")));
        try (Stream<Path> files = Files.list(data.resolve("store"))) {
            assertTrue(files.map(p -> p.getFileName().toString()).toList().containsAll(storeFiles));
        }
        assertTrue("the job records are kept", second.run("chargeedge:jobs", "COMMITTED")
                .contains(uninstall.group(1) + " "));
        second.kill();
    }
}
