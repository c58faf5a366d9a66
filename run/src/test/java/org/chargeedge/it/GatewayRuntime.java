package org.chargeedge.it;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.workingDirectory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import org.ops4j.pax.exam.Option;

/**
 * Pax Exam configuration shared by the in-framework tests: exactly the bundles
 * the gateway distribution ships (every jar of {@code target/gateway/bundles},
 * as {@code file:} URLs), with the launcher's start order, plus what Pax Exam
 * needs itself (its default bundles and the JUnit bundles).
 *
 * <p>Runs in the test JVM, outside the framework, before the framework starts.
 */
public final class GatewayRuntime {

    // The launcher's start levels (1: SPI Fly, asm, slf4j provider, LogService; 2: Configuration Admin,
    // SCR and the environment overrides; 3: the rest) fit around Pax Exam's: its own bundles are at 2,
    // the probe at 5, where the framework goes.

    /** Service property the central system gets from the test configuration: injected services filter on it. */
    public static final String TEST_MARKER = "chargeedge.it";
    public static final String TEST_FILTER = "(" + TEST_MARKER + "=pax)";
    public static final int HEARTBEAT_INTERVAL = 123;

    private GatewayRuntime() {
    }

    /** The start level the launcher gives a bundle, so the order is the same. */
    static int launcherStartLevel(String symbolicName) {
        return org.chargeedge.launcher.Gateway.startLevel(symbolicName);
    }

    public static Path gatewayDir() {
        return Path.of(System.getProperty("chargeedge.gateway.dir", "target/gateway")).toAbsolutePath();
    }

    /** The repository's config/ directory: what a gateway runs with out of the box. */
    /**
     * Copies the shipped configuration's .cfg files into {@code dir}, with the central system open to
     * any charge point id: the tests' chargers are not accepted one by one as a site's would be.
     */
    public static void copyShippedConfig(Path dir) throws IOException {
        try (Stream<Path> shipped = Files.list(shippedConfig())) {
            for (Path file : shipped.filter(f -> f.toString().endsWith(".cfg")).toList()) {
                Files.copy(file, dir.resolve(file.getFileName()));
            }
        }
        Path centralSystem = dir.resolve("org.chargeedge.centralsystem.cfg");
        Files.writeString(centralSystem, Files.readString(centralSystem) + "\nunknownChargers = Open\n");
    }

    public static Path shippedConfig() {
        return Path.of(System.getProperty("chargeedge.config.shipped", "../config")).toAbsolutePath();
    }

    public static Path itDir() {
        return Path.of(System.getProperty("chargeedge.it.dir", "target/it")).toAbsolutePath();
    }

    /** The distribution's bundle jars, sorted by file name as the launcher installs them. */
    public static List<Path> distributionJars() {
        Path dir = gatewayDir().resolve("bundles");
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> jars = files.filter(f -> f.toString().endsWith(".jar")).sorted().toList();
            if (jars.isEmpty()) {
                throw new IllegalStateException("no bundles in " + dir + ": run mvn package first");
            }
            return jars;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": run mvn package first", e);
        }
    }

    public static String symbolicName(Manifest manifest) {
        String bsn = manifest.getMainAttributes().getValue("Bundle-SymbolicName");
        return bsn == null ? null : bsn.split(";")[0].trim();
    }

    public static Manifest manifest(Path jar) {
        try (JarFile jf = new JarFile(jar.toFile())) {
            return jf.getManifest();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The options for one test class: a fresh framework storage and a fresh
     * FileInstall config directory under target/it/{name}, the central
     * system configured there on a free port of 127.0.0.1.
     */
    public static Option[] options(String name) {
        Path base = itDir().resolve(name);
        Path config = base.resolve("config");
        int port = freePort();
        try {
            deleteTree(base);
            Files.createDirectories(config);
            // The shipped configuration, then the central system's test settings over it; written before
            // the framework starts, so FileInstall finds them in its first scan.
            copyShippedConfig(config);
            Files.writeString(config.resolve("org.chargeedge.centralsystem.cfg"), String.join("\n",
                    "requireStore = true",
                    "unknownChargers = Open",
                    "host = 127.0.0.1",
                    "port = " + port,
                    "pathPrefix = /ocpp/",
                    "heartbeatInterval = " + HEARTBEAT_INTERVAL,
                    "callTimeout = 10",
                    "pingInterval = 0",
                    TEST_MARKER + " = pax",
                    ""));
            Files.createDirectories(base.resolve("pax"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Option> options = new ArrayList<>();
        for (Path jar : distributionJars()) {
            Manifest mf = manifest(jar);
            String bsn = symbolicName(mf);
            if (bsn == null) {
                throw new IllegalStateException(jar + " is not a bundle");
            }
            boolean fragment = mf.getMainAttributes().getValue("Fragment-Host") != null;
            options.add(bundle(jar.toUri().toString()).startLevel(launcherStartLevel(bsn))
                    .start(!fragment));
        }
        options.add(junitBundles());
        options.add(workingDirectory(base.resolve("pax").toString()));
        options.add(cleanCaches(true));
        // The launcher's framework properties (Gateway.frameworkProperties), pointed at the test's config dir.
        options.add(frameworkProperty("felix.fileinstall.dir").value(config.toString()));
        options.add(frameworkProperty("felix.fileinstall.filter").value(".*\\.(cfg|config)"));
        options.add(frameworkProperty("felix.fileinstall.poll").value("500"));
        options.add(frameworkProperty("felix.fileinstall.noInitialDelay").value("true"));
        options.add(frameworkProperty("felix.fileinstall.enableConfigSave").value("false"));
        options.add(frameworkProperty("felix.fileinstall.log.level").value("2"));
        options.add(frameworkProperty("gosh.args").value("--nointeractive"));
        options.add(systemProperty("org.slf4j.simpleLogger.showDateTime").value("true"));
        options.add(systemProperty("org.slf4j.simpleLogger.defaultLogLevel").value("info"));
        // The in-framework test reads it: the probe's classes are not the ones that ran this method.
        options.add(systemProperty("chargeedge.it.port." + name).value(String.valueOf(port)));
        return options.toArray(Option[]::new);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(p);
            }
        }
    }

    /**
     * Starts the gateway jar as a child process on {@code data} and {@code work/config}, with its
     * output in {@code log}; {@code environment} adds variables (CHARGEEDGE_OCPP_PORT and the like).
     */
    public static Process startProcess(Path work, Path data, Path log, java.util.Map<String, String> environment)
            throws IOException {
        return startProcess(work, data, log, environment, false);
    }

    /**
     * The same; with {@code console}, the Gogo shell reads the process's standard input, which the
     * test writes commands to ({@link Process#getOutputStream()}).
     */
    public static Process startProcess(Path work, Path data, Path log, java.util.Map<String, String> environment,
                                       boolean console) throws IOException {
        return startProcess(work, data, log, environment, console, List.of());
    }

    /**
     * The same, with the java command run through {@code prefix}: e.g. {@link #withFileLimit} to lower
     * the process's open-file limit. The JVM exits on an OutOfMemoryError, as the documented service does.
     */
    public static Process startProcess(Path work, Path data, Path log, java.util.Map<String, String> environment,
                                       boolean console, List<String> prefix) throws IOException {
        Path jar = gatewayDir().resolve("chargeedge-gateway.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run mvn package first");
        }
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xmx128m", "-XX:+ExitOnOutOfMemoryError", "-jar", jar.toString(),
                "--data", data.toString(), "--config", work.resolve("config").toString(),
                console ? "--console" : "--no-console"));
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(console ? ProcessBuilder.Redirect.PIPE
                        : ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        // The tests' chargers are not accepted one by one as a site's would be; a test may say otherwise.
        pb.environment().put("CHARGEEDGE_UNKNOWN_CHARGERS", "Open");
        pb.environment().putAll(environment);
        return pb.start();
    }

    /** Waits until {@code condition} holds, failing the test after {@code seconds}. */
    public static void waitFor(String what, int seconds, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            org.assertj.core.api.Assertions.assertThat(System.nanoTime()).as("%s within %d s", what, seconds)
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** Stops a gateway started by {@link #startProcess}: SIGTERM, then a kill if it is still there after 30 s. */
    public static void stopProcess(Process gateway) throws InterruptedException {
        if (gateway == null) {
            return;
        }
        gateway.destroy();
        if (!gateway.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            gateway.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** A {@link #startProcess} prefix that runs the command with at most {@code files} open files (ulimit -n). */
    /** A copy of {@code source} with another Bundle-Version. */
    public static Path withVersion(Path source, String version, Path target) throws IOException {
        try (JarFile in = new JarFile(source.toFile())) {
            Manifest mf = new Manifest(in.getManifest());
            mf.getMainAttributes().putValue("Bundle-Version", version);
            try (OutputStream out = Files.newOutputStream(target); JarOutputStream jo = new JarOutputStream(out, mf)) {
                for (Enumeration<JarEntry> e = in.entries(); e.hasMoreElements();) {
                    JarEntry entry = e.nextElement();
                    if (entry.getName().equalsIgnoreCase("META-INF/MANIFEST.MF")) {
                        continue;
                    }
                    jo.putNextEntry(new JarEntry(entry.getName()));
                    try (InputStream is = in.getInputStream(entry)) {
                        is.transferTo(jo);
                    }
                    jo.closeEntry();
                }
            }
        }
        return target;
    }

    /** The SHA-256 of a file in hex, as an update job is given it. */
    public static String sha256(Path file) throws IOException {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(Files.readAllBytes(file)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static List<String> withFileLimit(int files) {
        return List.of("bash", "-c", "ulimit -n " + files + " && exec \"$0\" \"$@\"");
    }
}
