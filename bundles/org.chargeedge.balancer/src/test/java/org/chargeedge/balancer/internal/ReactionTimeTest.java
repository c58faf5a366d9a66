package org.chargeedge.balancer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The short version of {@link ReactionBenchmark}: 20 chargers, 3 overloads, each corrected within 500 ms. */
class ReactionTimeTest {

    @TempDir
    Path dir;

    @Test
    void everyChargerThatMustReduceGetsItsProfileWithin500Milliseconds() throws Exception {
        long[] samples = ReactionBenchmark.measure(dir, 20, 3, false);
        assertThat(Duration.ofNanos(samples[samples.length - 1])).isLessThan(Duration.ofMillis(500));
    }
}
