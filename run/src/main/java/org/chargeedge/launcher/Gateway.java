package org.chargeedge.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.Version;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.startlevel.BundleStartLevel;

/**
 * Starts the ChargeEdge gateway: Apache Felix with the distribution's bundles,
 * its state kept in the data directory so bundles installed or updated at run
 * time and configuration changed at run time survive a restart. SIGTERM and
 * Ctrl-C stop the framework cleanly, so every component deactivates and
 * chargers get a proper WebSocket close.
 */
public final class Gateway {

    /** Framework property naming the data directory. */
    public static final String DATA_DIR_PROPERTY = "chargeedge.data.dir";
    /** Framework property naming the configuration directory. */
    public static final String CONFIG_DIR_PROPERTY = "chargeedge.config.dir";
    /** Bundles of this distribution are installed under this location prefix, keyed by symbolic name. */
    static final String LOCATION_PREFIX = "chargeedge:dist/";
    /**
     * Start levels by symbolic-name prefix; everything else starts at {@link #DEFAULT_LEVEL}. Level 1:
     * SPI Fly and the slf4j provider, which must be ready before any bundle loads slf4j. Level 2:
     * the environment overrides (a Configuration Admin plugin, with Configuration Admin and SCR to
     * run it), which must be registered before any configuration is delivered.
     */
    private static final Map<String, Integer> LEVELS = Map.of(
            "org.apache.aries.spifly", 1,
            "org.objectweb.asm", 1,
            "slf4j.simple", 1,
            "org.apache.felix.log", 1,
            "org.apache.felix.configadmin", 2,
            "org.apache.felix.scr", 2,
            "org.chargeedge.config", 2);
    private static final int DEFAULT_LEVEL = 3;
    private static final long STOP_TIMEOUT_MS = 30_000;
    /**
     * Exit status after the management service stopped the gateway for a factory reset: not 0, so a
     * supervisor that restarts on failure (the systemd unit) starts it again, and the reset happens then.
     */
    static final int EXIT_FOR_FACTORY_RESET = 75;

    private final Settings settings;
    private Framework framework;

    public Gateway(Settings settings) {
        this.settings = settings;
    }

    public static void main(String[] args) {
        long started = System.nanoTime();
        Settings settings;
        try {
            settings = Settings.parse(args, System.getenv(), System.console() != null);
        } catch (Settings.UsageException e) {
            System.err.println(e.getMessage());
            System.exit(args.length == 1 && (args[0].equals("--help") || args[0].equals("-h")) ? 0 : 2);
            return;
        }
        configureLogging();
        haltOnVirtualMachineErrors();
        Gateway gateway = new Gateway(settings);
        Runtime.getRuntime().addShutdownHook(new Thread(gateway::stop, "chargeedge-shutdown"));
        try {
            gateway.start();
        } catch (Exception e) {
            System.err.println("ChargeEdge gateway failed to start: " + e);
            e.printStackTrace();
            gateway.stop();
            System.exit(1);
            return;
        }
        System.out.printf("ChargeEdge gateway started in %d ms (config %s, data %s)%n",
                (System.nanoTime() - started) / 1_000_000, settings.configDir(), settings.dataDir());
        int exit = gateway.awaitStop();
        if (Files.exists(gateway.factoryResetFile())) {
            System.out.println("ChargeEdge gateway stopped for a factory reset; it happens at the next start");
            exit = EXIT_FOR_FACTORY_RESET;
        }
        System.exit(exit);
    }

    /**
     * A thread that dies of an OutOfMemoryError or another VirtualMachineError ends the process with
     * exit status 70, so its supervisor restarts it; the documented command line's
     * {@code -XX:+ExitOnOutOfMemoryError} also covers errors that are caught before they end a thread.
     */
    private static void haltOnVirtualMachineErrors() {
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, error) -> {
            if (error instanceof VirtualMachineError) {
                try {
                    System.err.println("FATAL: " + error + " in thread " + thread.getName()
                            + "; the gateway exits with status 70 so its supervisor restarts it");
                } finally {
                    Runtime.getRuntime().halt(70);
                }
            }
            if (previous != null) {
                previous.uncaughtException(thread, error);
            } else {
                System.err.print("Exception in thread \"" + thread.getName() + "\" ");
                error.printStackTrace();
            }
        });
    }

    /** slf4j-simple reads system properties; set readable defaults unless given with -D. */
    private static void configureLogging() {
        Map<String, String> defaults = Map.of(
                "org.slf4j.simpleLogger.showDateTime", "true",
                "org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
                "org.slf4j.simpleLogger.showShortLogName", "true",
                "org.slf4j.simpleLogger.levelInBrackets", "true",
                "org.slf4j.simpleLogger.defaultLogLevel", "info");
        defaults.forEach((k, v) -> {
            if (System.getProperty(k) == null) {
                System.setProperty(k, v);
            }
        });
    }

    public synchronized void start() throws BundleException, IOException {
        Files.createDirectories(settings.dataDir());
        Files.createDirectories(settings.configDir());
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).findFirst()
                .orElseThrow(() -> new IllegalStateException("no OSGi framework on the class path"));
        Path reset = factoryResetFile();
        boolean resetting = Files.exists(reset);
        Map<String, String> properties = frameworkProperties();
        if (resetting) {
            System.out.println("Factory reset (" + Files.readString(reset).trim() + "): the distribution's bundles"
                    + " and the configuration files apply again; the store's data, users and job records are kept");
            // The framework storage holds the bundles installed or updated at run time and Configuration Admin's
            // store: cleaned at this init. Every other directory of DATA stays.
            properties.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
            Files.deleteIfExists(removedBundlesFile());
        }
        framework = factory.newFramework(properties);
        framework.init();
        installDistribution(framework.getBundleContext());
        // Starts the bundles level by level up to the beginning start level before it returns.
        framework.start();
        if (resetting) {
            // Only now: a start that dies before here resets again.
            Files.delete(reset);
        }
    }

    /** Written by the management service to ask for a factory reset at the next start. */
    Path factoryResetFile() {
        return settings.dataDir().resolve("management").resolve("factory-reset");
    }

    private Path removedBundlesFile() {
        return settings.dataDir().resolve("management").resolve("removed-bundles");
    }

    /** Stops the framework and waits for it; safe to call more than once and from a shutdown hook. */
    public void stop() {
        Framework fw;
        synchronized (this) {
            fw = framework;
        }
        if (fw == null || (fw.getState() & (Bundle.ACTIVE | Bundle.STARTING)) == 0) {
            return;
        }
        try {
            fw.stop();
            fw.waitForStop(STOP_TIMEOUT_MS);
        } catch (BundleException e) {
            System.err.println("Stopping the framework failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Blocks until the framework stops; returns the process exit code. */
    int awaitStop() {
        try {
            FrameworkEvent event = framework.waitForStop(0);
            return event.getType() == FrameworkEvent.ERROR ? 1 : 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    public synchronized Framework framework() {
        return framework;
    }

    Map<String, String> frameworkProperties() {
        Map<String, String> p = new HashMap<>();
        p.put(Constants.FRAMEWORK_STORAGE, settings.dataDir().resolve("framework").toString());
        // Keep the cache: bundles installed or updated at run time, and Configuration Admin's store, live there.
        p.put(Constants.FRAMEWORK_STORAGE_CLEAN, "none");
        p.put(Constants.FRAMEWORK_BEGINNING_STARTLEVEL, String.valueOf(DEFAULT_LEVEL));
        // Where bundles keep data that must outlive their own reinstallation (the store, id reservations).
        p.put(DATA_DIR_PROPERTY, settings.dataDir().toString());
        p.put(CONFIG_DIR_PROPERTY, settings.configDir().toString());
        p.put("felix.fileinstall.dir", settings.configDir().toString());
        p.put("felix.fileinstall.filter", ".*\\.(cfg|config)");
        p.put("felix.fileinstall.poll", "2000");
        p.put("felix.fileinstall.noInitialDelay", "true");
        // Never write configuration changed at run time back into the files (and never truncate them).
        p.put("felix.fileinstall.enableConfigSave", "false");
        p.put("felix.fileinstall.log.level", "2");
        // Felix HTTP starts Jetty at once on its defaults (port 8080, every address): keep it closed until
        // org.chargeedge.http configures the address, the port and HTTPS.
        p.put("org.apache.felix.http.enable", "false");
        p.put("org.apache.felix.https.enable", "false");
        p.put("org.apache.felix.http.host", "127.0.0.1");
        if (!settings.console()) {
            p.put("gosh.args", "--nointeractive");
        }
        return p;
    }

    /** Symbolic names, one a line ('#' starts a comment), of the distribution's bundles uninstalled at run time. */
    static Set<String> removedBundles(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return Set.of();
        }
        Set<String> names = new HashSet<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank() && !line.trim().startsWith("#")) {
                names.add(line.trim());
            }
        }
        return names;
    }

    /** The start level the launcher gives a bundle; the in-framework tests use the same. */
    public static int startLevel(String symbolicName) {
        return LEVELS.entrySet().stream().filter(e -> symbolicName.startsWith(e.getKey()))
                .mapToInt(Map.Entry::getValue).findFirst().orElse(DEFAULT_LEVEL);
    }

    private Path bundlesDir() {
        if (settings.bundlesDir() != null) {
            return settings.bundlesDir();
        }
        try {
            Path jar = Path.of(Gateway.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return jar.getParent().resolve("bundles");
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Installs the distribution's bundles that the framework does not have yet,
     * and updates those for which the distribution brings a higher version. A
     * bundle updated at run time to a higher version than the distribution's
     * keeps that version. A bundle a management job uninstalled (named in
     * {@code DATA/management/removed-bundles}) is not installed again.
     */
    private void installDistribution(BundleContext context) throws IOException, BundleException {
        Path dir = bundlesDir();
        List<Path> jars;
        try (Stream<Path> files = Files.list(dir)) {
            jars = files.filter(f -> f.toString().endsWith(".jar")).sorted().toList();
        }
        if (jars.isEmpty()) {
            throw new IllegalStateException("no bundles in " + dir);
        }
        Map<String, Bundle> installed = new HashMap<>();
        for (Bundle b : context.getBundles()) {
            installed.put(b.getLocation(), b);
        }
        Set<String> removed = removedBundles(removedBundlesFile());
        List<Bundle> toStart = new ArrayList<>();
        for (Path jar : jars) {
            Manifest manifest;
            try (JarFile jf = new JarFile(jar.toFile())) {
                manifest = jf.getManifest();
            }
            String bsn = manifest == null ? null : manifest.getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME);
            if (bsn == null) {
                throw new IllegalStateException(jar + " is not a bundle");
            }
            bsn = bsn.split(";")[0].trim();
            Version version = Version.parseVersion(manifest.getMainAttributes().getValue(Constants.BUNDLE_VERSION));
            String location = LOCATION_PREFIX + bsn;
            Bundle bundle = installed.get(location);
            if (bundle == null && removed.contains(bsn)) {
                continue;
            }
            if (bundle == null) {
                try (InputStream in = Files.newInputStream(jar)) {
                    bundle = context.installBundle(location, in);
                }
            } else if (version.compareTo(bundle.getVersion()) > 0) {
                try (InputStream in = Files.newInputStream(jar)) {
                    bundle.update(in);
                }
            }
            bundle.adapt(BundleStartLevel.class).setStartLevel(startLevel(bsn));
            if (manifest.getMainAttributes().getValue(Constants.FRAGMENT_HOST) == null) {
                toStart.add(bundle);
            }
        }
        for (Bundle b : toStart) {
            b.start();
        }
    }
}
