package org.chargeedge.systemd.internal;

import java.util.List;

/**
 * {@code chargeedge:stallocpp SECONDS}, a diagnostic for checking the watchdog on a real gateway:
 * it freezes the OCPP server's I/O threads ({@code chargeedge-ocpp-io-*}) for SECONDS, as a
 * deadlock in an event loop would, and lets them go on afterwards. Chargers are not answered
 * meanwhile, so it is offered only when the process was started with
 * {@code CHARGEEDGE_DIAGNOSTICS=on}, which the shipped unit never sets. Uses
 * {@link Thread#suspend}, which Java 17 still has; on a Java without it the command says so.
 */
public class Diagnostics {

    private static final String IO_THREADS = "chargeedge-ocpp-io";

    @SuppressWarnings({"removal", "deprecation"})
    public String stallocpp(int seconds) {
        if (seconds < 1 || seconds > 600) {
            return "SECONDS must be between 1 and 600";
        }
        List<Thread> io = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(IO_THREADS)).toList();
        if (io.isEmpty()) {
            return "no OCPP I/O thread runs";
        }
        try {
            io.forEach(Thread::suspend);
        } catch (UnsupportedOperationException e) {
            return "not available on Java " + Runtime.version().feature() + " (Thread.suspend is gone)";
        }
        Thread resume = new Thread(() -> {
            try {
                Thread.sleep(seconds * 1000L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                io.forEach(Thread::resume);
            }
        }, "chargeedge-diagnostic-resume");
        resume.setDaemon(true);
        resume.start();
        return "OCPP I/O threads " + io.stream().map(Thread::getName).toList() + " frozen for " + seconds + " s";
    }
}
