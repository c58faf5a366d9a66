package org.chargeedge.loadgen;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;

/** What all chargers of one run share. Timing fields are set before the chargers start. */
final class RunState {

    static final String SUBPROTOCOL = "ocpp1.6";

    final Options options;
    final Stats stats;
    final ScheduledExecutorService scheduler;
    final long callTimeoutNanos;

    /** True when --rate is set: each charger sends at intended times {@link #intervalNanos} apart. */
    volatile boolean paced;
    volatile long intervalNanos;
    volatile long runEndNanos = Long.MAX_VALUE;
    volatile CountDownLatch finished = new CountDownLatch(0);

    RunState(Options options, Stats stats, ScheduledExecutorService scheduler) {
        this.options = options;
        this.stats = stats;
        this.scheduler = scheduler;
        this.callTimeoutNanos = options.callTimeout.toNanos();
    }
}
