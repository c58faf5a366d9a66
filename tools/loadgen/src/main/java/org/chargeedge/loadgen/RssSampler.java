package org.chargeedge.loadgen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reads VmRSS and VmHWM (KiB) of a process from /proc/PID/status and keeps the largest RSS seen. */
final class RssSampler {

    private final Path status;
    private volatile long maxRssKiB = -1;
    private volatile long lastRssKiB = -1;
    private volatile long lastHwmKiB = -1;
    private volatile String problem;

    RssSampler(long pid) {
        this.status = Path.of("/proc", Long.toString(pid), "status");
    }

    /** Takes one sample; returns false when the status file could not be read. */
    synchronized boolean sample() {
        try {
            List<String> lines = Files.readAllLines(status);
            long rss = -1;
            long hwm = -1;
            for (String line : lines) {
                if (line.startsWith("VmRSS:")) {
                    rss = kib(line);
                } else if (line.startsWith("VmHWM:")) {
                    hwm = kib(line);
                }
            }
            if (rss < 0) {
                problem = "no VmRSS in " + status;
                return false;
            }
            lastRssKiB = rss;
            lastHwmKiB = hwm;
            if (rss > maxRssKiB) {
                maxRssKiB = rss;
            }
            return true;
        } catch (IOException | RuntimeException e) {
            problem = "cannot read " + status + ": " + e;
            return false;
        }
    }

    /** Parses "VmRSS:\t  123456 kB". */
    static long kib(String line) {
        String v = line.substring(line.indexOf(':') + 1).trim();
        int sp = v.indexOf(' ');
        return Long.parseLong(sp < 0 ? v : v.substring(0, sp));
    }

    long maxRssKiB() {
        return maxRssKiB;
    }

    long lastRssKiB() {
        return lastRssKiB;
    }

    long lastHwmKiB() {
        return lastHwmKiB;
    }

    String problem() {
        return problem;
    }
}
