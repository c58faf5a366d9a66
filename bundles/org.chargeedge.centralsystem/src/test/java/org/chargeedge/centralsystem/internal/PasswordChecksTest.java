package org.chargeedge.centralsystem.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PasswordChecksTest {

    private final AtomicLong now = new AtomicLong();
    private final List<String> order = new CopyOnWriteArrayList<>();
    private final CountDownLatch gate = new CountDownLatch(1);
    private PasswordChecks checks;

    @AfterEach
    void close() {
        gate.countDown();
        if (checks != null) {
            checks.close();
        }
    }

    /** Holds the checking thread on a first check until {@link #gate} opens, so the queue can be filled. */
    private void holdTheThread() throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        assertThat(checks.submit("10.0.0.99", false, () -> {
            started.countDown();
            await(gate);
        }, () -> { })).isTrue();
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
    }

    private boolean submit(String address, boolean suspect, String name) {
        return checks.submit(address, suspect, () -> order.add(name), () -> order.add(name + " busy"));
    }

    private void runQueued(int expected) throws InterruptedException {
        gate.countDown();
        Await.until(expected + " answers", () -> order.size() >= expected);
        assertThat(order).hasSize(expected);
    }

    @Test
    void addressesTakeTurnsSoOneAddressCannotStarveAnother() throws Exception {
        checks = new PasswordChecks(256, 32, Duration.ofSeconds(5), now::get);
        holdTheThread();
        for (int i = 0; i < 5; i++) {
            assertThat(submit("10.0.0.1", false, "flood-" + i)).isTrue();
        }
        assertThat(submit("10.0.0.2", false, "charger")).isTrue();
        runQueued(6);
        assertThat(order).startsWith("flood-0", "charger", "flood-1");
    }

    @Test
    void addressesWithoutRecentFailuresGoFirst() throws Exception {
        checks = new PasswordChecks(256, 32, Duration.ofSeconds(5), now::get);
        holdTheThread();
        assertThat(submit("10.0.0.1", true, "suspect")).isTrue();
        assertThat(submit("10.0.0.2", false, "clean")).isTrue();
        runQueued(2);
        assertThat(order).containsExactly("clean", "suspect");
    }

    @Test
    void suspectAddressMayQueueOnlyItsShare() throws Exception {
        checks = new PasswordChecks(256, 32, Duration.ofSeconds(5), now::get);
        holdTheThread();
        for (int i = 0; i < PasswordChecks.PER_SUSPECT_ADDRESS; i++) {
            assertThat(submit("10.0.0.1", true, "s" + i)).isTrue();
        }
        assertThat(submit("10.0.0.1", true, "one too many")).isFalse();
        assertThat(submit("10.0.0.3", true, "another address")).isTrue();
        assertThat(checks.queued()).isEqualTo(PasswordChecks.PER_SUSPECT_ADDRESS + 1);
    }

    @Test
    void fullLaneRefusesAtOnce() throws Exception {
        checks = new PasswordChecks(3, 1, Duration.ofSeconds(5), now::get);
        holdTheThread();
        for (int i = 0; i < 3; i++) {
            assertThat(submit("10.0.0." + i, false, "c" + i)).isTrue();
        }
        assertThat(submit("10.0.0.9", false, "full")).isFalse();
        assertThat(submit("10.0.0.8", true, "s")).as("the other lane has room").isTrue();
        assertThat(submit("10.0.0.7", true, "s2")).isFalse();
    }

    @Test
    void checkThatWaitedPastItsDeadlineIsAnsweredBusyNotChecked() throws Exception {
        checks = new PasswordChecks(256, 32, Duration.ofSeconds(5), now::get);
        holdTheThread();
        assertThat(submit("10.0.0.1", false, "late")).isTrue();
        now.addAndGet(Duration.ofSeconds(4).toNanos());
        assertThat(submit("10.0.0.2", false, "in time")).isTrue();
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        runQueued(2);
        assertThat(order).containsExactly("late busy", "in time");
    }

    @Test
    void closeAnswersWhatIsStillQueued() throws Exception {
        checks = new PasswordChecks(256, 32, Duration.ofSeconds(5), now::get);
        holdTheThread();
        submit("10.0.0.1", false, "a");
        submit("10.0.0.2", true, "b");
        checks.close();
        assertThat(order).containsExactlyInAnyOrder("a busy", "b busy");
        assertThat(submit("10.0.0.3", false, "after")).isFalse();
    }

    @Test
    void failingCheckIsAnsweredBusyAndTheThreadGoesOn() throws Exception {
        checks = new PasswordChecks(256, 32, Duration.ofSeconds(5), now::get);
        checks.submit("10.0.0.1", false, () -> {
            throw new IllegalStateException("test");
        }, () -> order.add("busy"));
        submit("10.0.0.2", false, "next");
        Await.until("both answered", () -> order.size() == 2);
        assertThat(order).containsExactly("busy", "next");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
