package org.chargeedge.centralsystem.internal;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * What the gateway logs while a test runs, for the refusals that only a log
 * line tells (a TLS handshake that failed never reaches the access control).
 * slf4j-simple writes to whatever {@code System.err} is at the time of each
 * line, so this tees it into a buffer until closed.
 */
final class ServerLog implements AutoCloseable {

    private final PrintStream original = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    ServerLog() {
        System.setErr(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                original.write(b);
                synchronized (captured) {
                    captured.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                original.write(b, off, len);
                synchronized (captured) {
                    captured.write(b, off, len);
                }
            }
        }, true, StandardCharsets.UTF_8));
    }

    String text() {
        synchronized (captured) {
            return captured.toString(StandardCharsets.UTF_8);
        }
    }

    /** The first line holding every one of {@code fragments}, waited for up to {@code timeout}. */
    String awaitLine(Duration timeout, String... fragments) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String all = text();
            for (String line : all.split("\n")) {
                if (Arrays.stream(fragments).allMatch(line::contains)) {
                    return line;
                }
            }
            if (System.nanoTime() > deadline) {
                return org.assertj.core.api.Assertions.fail("no log line with " + Arrays.toString(fragments)
                        + " within " + timeout + "; the gateway logged:\n" + all);
            }
            Thread.sleep(10);
        }
    }

    String awaitLine(String... fragments) throws InterruptedException {
        return awaitLine(Await.WAIT, fragments);
    }

    @Override
    public void close() {
        System.setErr(original);
    }
}
