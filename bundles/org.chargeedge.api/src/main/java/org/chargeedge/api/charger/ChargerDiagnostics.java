package org.chargeedge.api.charger;

import java.time.Instant;
import java.util.List;

/**
 * What a charger refused or reported wrong that an installer has to look at, as the central system
 * saw it in the charger's answers to the gateway's calls since the gateway started (since 1.6).
 *
 * @param configuration configuration keys the charger refused or does not know, the latest first, at
 *                      most {@link #MAX_KEYS}; a key the charger later accepts leaves the list, and
 *                      so does a value waiting for a reboot when the charger boots again
 * @param localList the last problem with the charger's local authorization list; null when none, or
 *                  once the charger accepted a list and reported the version pushed
 */
public record ChargerDiagnostics(List<ConfigurationKeyProblem> configuration, LocalListProblem localList) {

    /** Nothing to look at. */
    public static final ChargerDiagnostics NONE = new ChargerDiagnostics(List.of(), null);
    /** Keys kept per charger: the oldest go first. */
    public static final int MAX_KEYS = 32;

    public ChargerDiagnostics {
        configuration = List.copyOf(configuration);
    }

    /** How a charger answered for one configuration key. */
    public enum KeyOutcome {
        /** ChangeConfiguration answered Rejected: the value is out of range, or the key is read-only. */
        REJECTED,
        /** ChangeConfiguration answered NotSupported: the charger has no such key. */
        NOT_SUPPORTED,
        /** ChangeConfiguration answered RebootRequired: the value applies only after a reboot. */
        REBOOT_REQUIRED,
        /** GetConfiguration listed the key as unknownKey. */
        UNKNOWN_KEY
    }

    /**
     * One configuration key.
     *
     * @param key the key as the gateway sent it
     * @param value the value the gateway tried to set; null for {@link KeyOutcome#UNKNOWN_KEY}
     * @param outcome the charger's answer
     * @param at when the answer came
     */
    public record ConfigurationKeyProblem(String key, String value, KeyOutcome outcome, Instant at) {
    }

    /** What is wrong with the charger's local authorization list. */
    public enum LocalListOutcome {
        /** SendLocalList answered Failed: the charger could not store the list (full, or corrupted). */
        FAILED,
        /** SendLocalList answered VersionMismatch: a differential update did not fit the charger's version. */
        VERSION_MISMATCH,
        /** SendLocalList answered NotSupported: the charger has no local list. */
        NOT_SUPPORTED,
        /** GetLocalListVersion answered another version than the one the charger last accepted. */
        OUT_OF_STEP
    }

    /**
     * The local list's problem.
     *
     * @param outcome what is wrong
     * @param attemptedVersion the version of the SendLocalList refused; null for {@link LocalListOutcome#OUT_OF_STEP}
     * @param acceptedVersion the version the charger last accepted from the gateway; null if none since start
     * @param reportedVersion the version GetLocalListVersion answered; null unless {@link LocalListOutcome#OUT_OF_STEP}
     * @param at when the charger answered
     */
    public record LocalListProblem(LocalListOutcome outcome, Integer attemptedVersion, Integer acceptedVersion,
                                   Integer reportedVersion, Instant at) {
    }
}
