package org.chargeedge.launcher;

import java.nio.file.Path;
import java.util.Map;

/**
 * How the gateway is started: from command-line options, then environment
 * variables, then defaults that work from the repository root.
 *
 * @param configDir the site configuration, read by FileInstall ({@code *.cfg}, {@code *.config})
 * @param dataDir framework state: installed and updated bundles, configuration, bundle data
 * @param bundlesDir the bundles of this distribution; null means {@code bundles/} beside the launcher jar
 * @param console whether to run the Gogo shell on the terminal
 */
record Settings(Path configDir, Path dataDir, Path bundlesDir, boolean console) {

    static final String USAGE = """
            Usage: java -jar chargeedge-gateway.jar [options]
              --config DIR    site configuration directory (env CHARGEEDGE_CONFIG_DIR, default ./config)
              --data DIR      data directory for framework state (env CHARGEEDGE_DATA_DIR, default ./data)
              --bundles DIR   distribution bundles (default: bundles/ beside the jar)
              --console       run the Gogo shell on this terminal (env CHARGEEDGE_CONSOLE=true)
              --no-console    never run the shell on the terminal (env CHARGEEDGE_CONSOLE=false)
                              default: a shell when started from a terminal
              --help          this text
            Other settings are in the configuration directory; see docs/configuration.md.""";

    /** Thrown for a command line that cannot be used; its message says why. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    static Settings parse(String[] args, Map<String, String> env, boolean terminal) throws UsageException {
        String config = env.getOrDefault("CHARGEEDGE_CONFIG_DIR", "config");
        String data = env.getOrDefault("CHARGEEDGE_DATA_DIR", "data");
        String bundles = null;
        Boolean console = env.containsKey("CHARGEEDGE_CONSOLE")
                ? Boolean.parseBoolean(env.get("CHARGEEDGE_CONSOLE").trim()) : null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> config = value(args, ++i, "--config");
                case "--data" -> data = value(args, ++i, "--data");
                case "--bundles" -> bundles = value(args, ++i, "--bundles");
                case "--console" -> console = true;
                case "--no-console" -> console = false;
                case "--help", "-h" -> throw new UsageException(USAGE);
                default -> throw new UsageException("Unknown option " + args[i] + "\n" + USAGE);
            }
        }
        return new Settings(Path.of(config).toAbsolutePath().normalize(), Path.of(data).toAbsolutePath().normalize(),
                bundles == null ? null : Path.of(bundles).toAbsolutePath().normalize(),
                console != null ? console : terminal);
    }

    private static String value(String[] args, int i, String option) throws UsageException {
        if (i >= args.length || args[i].isBlank()) {
            throw new UsageException(option + " needs a directory\n" + USAGE);
        }
        return args[i];
    }
}
