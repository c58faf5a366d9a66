package org.chargeedge.centralsystem.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.chargeedge.api.charger.ChargerCallException;

/** Polling and future helpers with timeouts; no sleeps as synchronisation. */
final class Await {

    static final Duration WAIT = Duration.ofSeconds(5);

    private Await() {
    }

    /** Polls {@code condition} every 10 ms until it holds, failing after {@code timeout}. */
    static void until(String what, BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    static void until(String what, BooleanSupplier condition) throws InterruptedException {
        until(what, condition, WAIT);
    }

    static <T> T result(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The ChargerCallException the stage fails with, within {@code timeout}. */
    static ChargerCallException failure(CompletionStage<?> stage, Duration timeout) throws Exception {
        try {
            Object value = stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return fail("expected a ChargerCallException, got the result " + value);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(ChargerCallException.class);
            return (ChargerCallException) e.getCause();
        }
    }

    static ChargerCallException failure(CompletionStage<?> stage) throws Exception {
        return failure(stage, WAIT);
    }
}
