package org.chargeedge.upstream.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

class ProblemLogTest {

    record Line(Level level, String text) {}

    final List<Line> lines = new CopyOnWriteArrayList<>();
    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final ProblemLog log = new ProblemLog((level, text) -> {
        if (level != Level.DEBUG) {
            lines.add(new Line(level, text));
        }
    }, ProblemLog.DEFAULT_INTERVAL, now::get);

    final Settings settings = Settings.forTest("wss://csms.example/ocpp");
    final URI uri = settings.uri("CP-1");
    final LinkProblem network = LinkProblem.classify(new ConnectException(), "CP-1", settings, null);
    final LinkProblem untrusted = LinkProblem.classify(new SSLHandshakeException("PKIX path building failed: "
            + "unable to find valid certification path to requested target"), "CP-1", settings, null);

    private void after(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void eachProblemIsLoggedOnceThenAtMostEveryTenMinutesWithItsCount() {
        assertThat(log.failed("CP-1", uri, network, Duration.ofSeconds(1))).isTrue();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0).level()).isEqualTo(Level.WARN);
        assertThat(lines.get(0).text()).startsWith("CP-1: upstream connection to wss://csms.example/ocpp/CP-1"
                + " failed: nothing accepts connections at csms.example:443").contains("Retrying in 1000 ms")
                .endsWith("; the site goes on locally").doesNotContain("times in the last");

        // Eleven more within the ten minutes: counted, not logged.
        for (int i = 0; i < 11; i++) {
            after(Duration.ofSeconds(50));
            assertThat(log.failed("CP-1", uri, network, Duration.ofSeconds(60))).isFalse();
        }
        assertThat(lines).hasSize(1);

        after(Duration.ofSeconds(50));
        assertThat(log.failed("CP-1", uri, network, Duration.ofSeconds(60))).isTrue();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1).text()).contains("(12 times in the last 10 min)").contains("Retrying in 60 s");

        // The count starts again after a line.
        after(Duration.ofMinutes(10));
        log.failed("CP-1", uri, network, Duration.ofSeconds(60));
        assertThat(lines).hasSize(3);
        assertThat(lines.get(2).text()).doesNotContain("times in the last");
    }

    @Test
    void aNewKindOrAnotherChargerIsLoggedAtOnce() {
        log.failed("CP-1", uri, network, Duration.ofSeconds(1));
        log.failed("CP-1", uri, untrusted, Duration.ofSeconds(60));
        log.failed("CP-2", settings.uri("CP-2"), network, Duration.ofSeconds(1));
        log.failed("CP-1", uri, untrusted, Duration.ofSeconds(60));
        assertThat(lines).extracting(Line::level).containsExactly(Level.WARN, Level.ERROR, Level.WARN);
        assertThat(lines.get(1).text()).contains("caFile", "Retrying in 60 s (reconnectMaxMillis: this does not go"
                + " away by itself)");
    }

    @Test
    void theLinkComingUpIsLoggedWithWhatCameBeforeAndResetsTheLimit() {
        log.up("CP-1", uri);
        assertThat(lines.get(0)).isEqualTo(new Line(Level.INFO, "CP-1: upstream link up (" + uri + ")"));

        log.failed("CP-1", uri, network, Duration.ofSeconds(1));
        for (int i = 0; i < 4; i++) {
            after(Duration.ofSeconds(30));
            log.failed("CP-1", uri, network, Duration.ofSeconds(2));
        }
        assertThat(log.failures("CP-1")).isEqualTo(5);
        after(Duration.ofSeconds(30));
        log.up("CP-1", uri);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(2)).isEqualTo(new Line(Level.INFO, "CP-1: upstream link up (" + uri + ") after 5 failed"
                + " attempts in 3 min; last problem: network: connection to csms.example:443 refused"));
        assertThat(log.failures("CP-1")).isZero();

        // A failure after the link was up is news again.
        log.failed("CP-1", uri, network, Duration.ofSeconds(1));
        assertThat(lines).hasSize(4);
    }

    @Test
    void manyLinksFailingAtOnceCountEveryAttempt() throws Exception {
        int chargers = 8;
        int attempts = 500;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch done = new CountDownLatch(chargers);
        for (int c = 0; c < chargers; c++) {
            String id = "CP-" + c;
            pool.execute(() -> {
                for (int i = 0; i < attempts; i++) {
                    log.failed(id, uri, network, Duration.ofSeconds(1));
                }
                done.countDown();
            });
        }
        assertThat(done.await(20, TimeUnit.SECONDS)).isTrue();
        pool.shutdown();
        assertThat(lines).hasSize(chargers);
        for (int c = 0; c < chargers; c++) {
            assertThat(log.failures("CP-" + c)).isEqualTo(attempts);
        }
    }
}
