package org.chargeedge.centralsystem.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.chargeedge.api.charger.OcppServerHealth.Listener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The health probe: a real connection that only a serving server answers. */
class OcppServerHealthTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    @TempDir
    Path dir;
    private CentralSystemHarness harness;

    @AfterEach
    void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    private Map<String, Object> withTls() throws Exception {
        TestPki ca = new TestPki("Health CA");
        Path tls = Files.createDirectories(dir.resolve("tls"));
        ca.server(TestPki.KeyType.EC).write(tls.resolve("gateway.pem"), tls.resolve("gateway.key"));
        Map<String, Object> settings = new HashMap<>();
        settings.put("tlsPort", 0);
        settings.put("tlsCertificateFile", tls.resolve("gateway.pem").toString());
        settings.put("tlsKeyFile", tls.resolve("gateway.key").toString());
        settings.put("ioThreads", 1);
        return settings;
    }

    @Test
    void servingPortsAnswerTheProbeWithoutALogLineOrARefusal() throws Exception {
        try (ServerLog log = new ServerLog()) {
            harness = new CentralSystemHarness(dir.resolve("data"), withTls());
            CentralSystem cs = harness.centralSystem;
            assertThat(cs.listeners()).containsExactly(
                    new Listener("127.0.0.1", harness.port(), false, true),
                    new Listener("127.0.0.1", harness.tlsPort(), true, true));
            String before = log.text();
            assertThat(cs.probe(TIMEOUT)).isNull();
            assertThat(cs.probe(TIMEOUT)).as("again: nothing left behind").isNull();
            assertThat(log.text()).as("nothing logged").isEqualTo(before);
            assertThat(cs.recentRefusals()).isEmpty();
            RawCharger cp = RawCharger.connectReady(harness, "CP-H1");
            assertThat(cs.connections()).isEqualTo(1);
            cp.close();
        }
    }

    @Test
    void wedgedEventLoopIsReportedThoughThePortStillAccepts() throws Exception {
        harness = new CentralSystemHarness(dir.resolve("data"), Map.of("ioThreads", 1));
        CentralSystem cs = harness.centralSystem;
        RawCharger cp = RawCharger.connectReady(harness, "CP-H2");
        CountDownLatch release = new CountDownLatch(1);
        try {
            // The only I/O loop is stuck in a task: the kernel still accepts, nobody answers.
            cs.server().connections().get(0).channel().eventLoop().execute(() -> {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(cs.listeners()).allMatch(Listener::open);
            assertThat(cs.probe(Duration.ofMillis(500)))
                    .isEqualTo("ws:// port " + harness.port() + ": accepted the connection but did not answer within"
                            + " 500 ms");
        } finally {
            release.countDown();
        }
        Await.until("serving again", () -> cs.probe(TIMEOUT) == null);
        cp.close();
    }

    @Test
    void closedListenerIsReportedAsSuch() throws Exception {
        harness = new CentralSystemHarness(dir.resolve("data"));
        CentralSystem cs = harness.centralSystem;
        int port = harness.port();
        cs.server().stop(Duration.ZERO);
        assertThat(cs.listeners()).containsExactly(new Listener("127.0.0.1", port, false, false));
        assertThat(cs.probe(TIMEOUT)).isEqualTo("ws:// port " + port + ": the listening socket is closed");
    }
}
