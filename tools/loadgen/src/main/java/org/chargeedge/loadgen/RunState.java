package org.chargeedge.loadgen;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.concurrent.CountDownLatch;

/**
 * What all chargers of one run share. The main thread sets the timing fields before it starts the chargers;
 * the event loops only read them.
 */
final class RunState {

    static final String SUBPROTOCOL = "ocpp1.6";

    /**
     * The one JSON mapper of the program (thread-safe): parses OCPP-J frames into {@code Map}s (insertion
     * ordered), {@code List}s, {@code String}, {@code Long} (every integer that fits; the scripts and checks
     * rely on it), {@code Double}, {@code Boolean} and {@code null}, and writes the report. Trailing text
     * after the value is an error, as the rest of strict JSON is by default.
     */
    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_LONG_FOR_INTS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    final Options options;
    final Stats stats;
    final long callTimeoutNanos;

    /** True when --rate is set: each charger sends at intended times {@link #intervalNanos} apart. */
    volatile boolean paced;
    volatile long intervalNanos;
    volatile long runEndNanos = Long.MAX_VALUE;
    volatile CountDownLatch finished = new CountDownLatch(0);

    RunState(Options options, Stats stats) {
        this.options = options;
        this.stats = stats;
        this.callTimeoutNanos = options.callTimeout.toNanos();
    }
}
