package org.chargeedge.centralsystem.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An error the server cannot recover from (the heap exhausted, the VM broken)
 * ends the process with a non-zero exit status, so its supervisor (systemd's
 * {@code Restart=on-failure}) starts it again, instead of leaving a process
 * that looks alive and serves nobody. The documented command line also sets
 * {@code -XX:+ExitOnOutOfMemoryError} for errors thrown outside the server.
 */
final class Fatal {

    private static final Logger LOG = LoggerFactory.getLogger(Fatal.class);
    /** sysexits.h EX_SOFTWARE. */
    static final int EXIT_STATUS = 70;

    private Fatal() {
    }

    /** Halts the VM when {@code problem} or one of its causes is a {@link VirtualMachineError}. */
    static void check(Throwable problem) {
        for (Throwable t = problem; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof VirtualMachineError) {
                try {
                    LOG.error("FATAL: {} in the OCPP server; the process exits with status {} so its supervisor"
                            + " restarts it", t, EXIT_STATUS);
                } finally {
                    Runtime.getRuntime().halt(EXIT_STATUS);
                }
            }
        }
    }
}
