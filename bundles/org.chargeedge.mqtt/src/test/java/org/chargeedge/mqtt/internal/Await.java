package org.chargeedge.mqtt.internal;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import org.opentest4j.AssertionFailedError;

final class Await {

    private Await() {
    }

    static void until(String what, Duration timeout, BooleanSupplier condition) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionFailedError("interrupted waiting for " + what);
            }
        }
        if (!condition.getAsBoolean()) {
            throw new AssertionFailedError("timed out after " + timeout + " waiting for " + what);
        }
    }

    static void until(String what, BooleanSupplier condition) {
        until(what, Duration.ofSeconds(10), condition);
    }
}
