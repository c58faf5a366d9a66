package org.chargeedge.upstream.internal;

/**
 * A value of the upstream configuration (PID {@value UpstreamComponent#PID}) the link cannot work
 * with: which key, the value as it may be shown (passwords never are), what is wrong with it and
 * how to fix it. Thrown by {@link Trust} while loading {@code caFile}; collected, not thrown, by
 * {@link Settings#problems()}. It is a value rather than a failure: no stack trace is recorded.
 */
final class ConfigurationProblem extends Exception {

    private static final long serialVersionUID = 1L;

    private final String key;
    private final String value;
    private final String problem;
    private final String fix;

    /**
     * @param key the configuration key, as written in {@code org.chargeedge.upstream.cfg}
     * @param value the value as it may appear in a log (a password replaced by {@code ***})
     * @param problem what is wrong, in words an installer understands
     * @param fix what to change
     */
    ConfigurationProblem(String key, String value, String problem, String fix) {
        this(key, value, problem, fix, null);
    }

    ConfigurationProblem(String key, String value, String problem, String fix, Throwable cause) {
        super(key + " = '" + value + "': " + problem + ". Fix: " + fix, cause, false, false);
        this.key = key;
        this.value = value;
        this.problem = problem;
        this.fix = fix;
    }

    String key() {
        return key;
    }

    String value() {
        return value;
    }

    String problem() {
        return problem;
    }

    String fix() {
        return fix;
    }

    /** The ERROR line for the log: names the configuration, the key, the value and the fix. */
    String logLine() {
        return "Upstream configuration error (" + UpstreamComponent.PID + "): " + getMessage();
    }

    /** One line for the upstream status ({@code chargeedge:upstream}, {@code chargeedge:charger ID}). */
    String shortText() {
        return key + ": " + problem;
    }
}
