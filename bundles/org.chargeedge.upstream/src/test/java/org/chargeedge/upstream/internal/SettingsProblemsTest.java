package org.chargeedge.upstream.internal;

import org.chargeedge.centralsystem.internal.TestPki;
import static org.assertj.core.api.Assertions.assertThat;
import static org.chargeedge.upstream.internal.SettingsTest.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.chargeedge.api.upstream.UpstreamStatus;
import org.chargeedge.store.internal.SqliteStore;
import org.chargeedge.store.internal.TestStores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsProblemsTest {

    @TempDir
    Path dir;

    private static Settings settings(Object... keysAndValues) {
        Map<String, Object> values = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            values.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return Settings.from(config(values));
    }

    private static ConfigurationProblem only(Settings s) {
        List<ConfigurationProblem> problems = s.problems();
        assertThat(problems).hasSize(1);
        return problems.get(0);
    }

    @Test
    void goodSettingsAndStandaloneHaveNoProblem() throws Exception {
        Path ca = new TestPki("CA").writeCa(dir.resolve("ca.pem"));
        assertThat(settings().problems()).isEmpty();
        assertThat(settings("url", "wss://csms.example/ocpp", "chargerPasswords", "CP-1=a, CP_2.b~c=b,",
                "caFile", ca.toString()).problems()).isEmpty();
        assertThat(settings("url", "WS://csms.example:8180/steve/websocket/CentralSystemService").problems())
                .isEmpty();
        assertThat(settings("url", "wss://csms.example/{chargePointId}?token=x").problems()).isEmpty();
    }

    @Test
    void aMalformedUrl() {
        ConfigurationProblem p = only(settings("url", "wss://csms example/ocpp"));
        assertThat(p.key()).isEqualTo("url");
        assertThat(p.value()).isEqualTo("wss://csms example/ocpp");
        assertThat(p.problem()).startsWith("not a valid URL");
        assertThat(p.fix()).contains("ws://HOST:PORT/PATH", "wss://");
    }

    @Test
    void aSchemeOtherThanWsOrWss() {
        assertThat(only(settings("url", "https://csms.example/ocpp")).problem())
                .contains("https://", "only ws:// and wss://", "WebSocket address");
        assertThat(only(settings("url", "csms.example/ocpp")).problem()).isEqualTo("the URL has no scheme");
    }

    @Test
    void aUrlWithoutHost() {
        assertThat(only(settings("url", "wss:///ocpp")).problem()).isEqualTo("the URL has no host name");
    }

    @Test
    void aQueryWithoutThePlaceholder() {
        ConfigurationProblem p = only(settings("url", "wss://csms.example/ocpp?token=x"));
        assertThat(p.problem()).contains("query");
        assertThat(p.fix()).contains("{chargePointId}");
    }

    @Test
    void aPasswordEntryWithoutEqualsIsNamedWithoutShowingIt() {
        ConfigurationProblem p = only(settings("url", "wss://csms.example/ocpp",
                "chargerPasswords", "CP-1=a,s3cret-alone"));
        assertThat(p.key()).isEqualTo("chargerPasswords");
        assertThat(p.problem()).isEqualTo("entry 2 has no '='");
        assertThat(p.logLine()).doesNotContain("s3cret-alone");
        assertThat(p.fix()).contains("CHARGER=PASSWORD");

        assertThat(only(settings("url", "wss://x/o", "chargerPasswords", " =pw")).problem())
                .isEqualTo("entry 1 names no charger");
    }

    @Test
    void aPasswordEntryWithAnInvalidChargePointId() {
        ConfigurationProblem p = only(settings("url", "wss://csms.example/ocpp",
                "chargerPasswords", "CP 1=topsecret"));
        assertThat(p.value()).isEqualTo("CP 1=***");
        assertThat(p.problem()).contains("'CP 1' is not a valid charge point id", "- . _ ~", "48");
        assertThat(p.logLine()).doesNotContain("topsecret");
        assertThat(only(settings("url", "wss://x/o", "chargerPasswords", "A".repeat(49) + "=pw")).problem())
                .contains("not a valid charge point id");
        assertThat(settings("url", "wss://x/o", "chargerPasswords", "A".repeat(48) + "=pw").problems()).isEmpty();
    }

    @Test
    void caFileProblemsAreAmongTheSettingsProblems() throws Exception {
        Path key = Files.writeString(dir.resolve("key.pem"),
                TestPki.pem("PRIVATE KEY", TestPki.newKey().getPrivate().getEncoded()));
        ConfigurationProblem p = only(settings("url", "wss://csms.example/ocpp", "caFile", key.toString()));
        assertThat(p.key()).isEqualTo("caFile");
        assertThat(p.problem()).contains("private key");
        assertThat(only(settings("url", "wss://csms.example/ocpp", "caFile", dir.resolve("gone.pem").toString()))
                .problem()).contains("does not exist");
    }

    @Test
    void clientCertificateProblemsAreFoundAtConfigurationTime() throws Exception {
        TestPki chargers = new TestPki("ChargeEdge Test Charger CA");
        Path cert = dir.resolve("gateway.crt");
        Path key = dir.resolve("gateway.key");
        chargers.client("CP-1").writeSec1(cert, key);
        Path otherCert = dir.resolve("other.crt");
        Path otherKey = dir.resolve("other.key");
        chargers.client("CP-2").writeSec1(otherCert, otherKey);
        String url = "wss://csms.example/ocpp";
        assertThat(settings("url", url, "clientCertificateFile", cert.toString(), "clientKeyFile", key.toString())
                .problems()).isEmpty();

        ConfigurationProblem p = only(settings("url", url, "clientCertificateFile", cert.toString(),
                "clientKeyFile", otherKey.toString()));
        assertThat(p.key()).isEqualTo("clientKeyFile");
        assertThat(p.value()).isEqualTo(otherKey.toString());
        assertThat(p.problem()).isEqualTo("the file holds a private key that does not belong to the certificate in "
                + cert + " (CN=CP-1)");
        assertThat(p.fix()).contains("openssl pkey -pubout");
        assertThat(p.logLine()).startsWith("Upstream configuration error (org.chargeedge.upstream): clientKeyFile = '"
                + otherKey + "': the file holds a private key that does not belong");

        p = only(settings("url", url, "clientCertificateFile", key.toString(), "clientKeyFile", key.toString()));
        assertThat(p.key()).isEqualTo("clientCertificateFile");
        assertThat(p.problem()).isEqualTo("the file holds a private key (BEGIN EC PRIVATE KEY), not a certificate");

        p = only(settings("url", url, "clientCertificateFile", dir.resolve("gone.crt").toString(),
                "clientKeyFile", key.toString()));
        assertThat(p.key()).isEqualTo("clientCertificateFile");
        assertThat(p.problem()).isEqualTo("the file does not exist");
    }

    @Test
    void aClientCertificateNeedsBothFilesTheSameKindOfNameAndWss() {
        String url = "wss://csms.example/ocpp";
        ConfigurationProblem p = only(settings("url", url, "clientCertificateFile", "/etc/gw.crt"));
        assertThat(p.key()).isEqualTo("clientKeyFile");
        assertThat(p.problem()).isEqualTo("clientKeyFile is empty, but clientCertificateFile is set");
        assertThat(p.fix()).contains("or neither");
        assertThat(only(settings("url", url, "clientKeyFile", "/etc/gw.key")).key()).isEqualTo("clientCertificateFile");

        p = only(settings("url", url, "clientCertificateFile", "/etc/gw/{chargePointId}.crt", "clientKeyFile",
                "/etc/gw/gateway.key"));
        assertThat(p.key()).isEqualTo("clientKeyFile");
        assertThat(p.problem()).contains("only one of clientCertificateFile and clientKeyFile has {chargePointId}");

        p = only(settings("url", "ws://csms.example/ocpp", "clientCertificateFile", "/etc/gw/{chargePointId}.crt",
                "clientKeyFile", "/etc/gw/{chargePointId}.key"));
        assertThat(p.key()).isEqualTo("clientCertificateFile");
        assertThat(p.problem()).contains("url is ws:// (no TLS)");
        assertThat(p.fix()).contains("wss://");

        assertThat(settings("url", url, "clientCertificateFile", "/etc/gw/{chargePointId}.crt", "clientKeyFile",
                "/etc/gw/{chargePointId}.key").problems()).as("per-charger files are read when a charger connects")
                .isEmpty();
    }

    @Test
    void severalProblemsAreAllReported() {
        assertThat(settings("url", "http://csms.example/ocpp", "chargerPasswords", "x,CP 2=y",
                "caFile", dir.resolve("none.pem").toString()).problems())
                .extracting(ConfigurationProblem::key).containsExactly("url", "chargerPasswords", "chargerPasswords",
                        "caFile");
    }

    @Test
    void aPasswordOverPlainWsIsWarnedAbout() {
        assertThat(settings("url", "ws://csms.example/ocpp", "password", "pw").clearTextWarning()).get()
                .asString().contains("ws://csms.example/ocpp", "no TLS", "readable", "profile 1", "wss://");
        assertThat(settings("url", "ws://csms.example/ocpp", "chargerPasswords", "CP-1=pw").clearTextWarning())
                .isPresent();
        assertThat(settings("url", "wss://csms.example/ocpp", "password", "pw").clearTextWarning()).isEmpty();
        assertThat(settings("url", "ws://csms.example/ocpp").clearTextWarning()).isEmpty();
    }

    @Test
    void theShellFlagsPasswordsOverPlainWs() {
        String warning = settings("url", "ws://csms.example/ocpp", "password", "pw").clearTextWarning().orElseThrow();
        UpstreamStatus none = new UpstreamStatus() {
            @Override
            public List<UpstreamStatus.Link> links() {
                return List.of();
            }

            @Override
            public java.util.Optional<UpstreamStatus.Link> link(String chargePointId) {
                return java.util.Optional.empty();
            }

            @Override
            public int replayFailed(String chargePointId) {
                return 0;
            }
        };
        assertThat(new UpstreamShellCommands(none, warning).upstream()).startsWith("WARNING: Upstream url ws://")
                .contains("profile 1");
        assertThat(new UpstreamShellCommands(none).upstream()).doesNotContain("WARNING");
        assertThat(new UpstreamShellCommands(null).upstream()).startsWith("standalone");
    }

    @Test
    void settingsAreLoggedWithoutPasswords() {
        assertThat(settings("url", "ws://x/o", "password", "site-secret", "chargerPasswords", "CP-1=own-secret")
                .toString()).doesNotContain("site-secret", "own-secret").contains("CP-1", "password=***");
    }

    @Test
    void misconfiguredLinksShowEveryChargerDownWithTheProblem() throws Exception {
        List<ConfigurationProblem> problems = settings("url", "https://csms.example/ocpp").problems();
        SqliteStore store = TestStores.open(dir.resolve("store.db"));
        try {
            store.meterValues("CP-9", new org.chargeedge.ocpp.v16.MeterValuesRequest(1, null, List.of(
                    new org.chargeedge.ocpp.v16.MeterValue(Instant.EPOCH, List.of(new org.chargeedge.ocpp.v16.SampledValue(
                    "1", null, null, null, null, null, null))))), Instant.EPOCH).toCompletableFuture().get();
            MisconfiguredLinks status = new MisconfiguredLinks(problems, new NoChargers(), store, store,
                    Instant.EPOCH);
            UpstreamStatus.Link link = status.link("CP-1").orElseThrow();
            assertThat(link.connected()).isFalse();
            assertThat(link.downSince()).isEqualTo(Instant.EPOCH);
            assertThat(link.lastProblem()).startsWith("misconfigured: url: the scheme is https://");
            assertThat(status.links()).extracting(UpstreamStatus.Link::chargePointId).containsExactly("CP-9");
            assertThat(status.links().get(0).queueDepth()).isEqualTo(1);
            assertThat(status.notStartedLine()).contains("misconfigured, not started", "1 problem above");
            assertThat(new UpstreamShellCommands(status).upstream()).startsWith("upstream link MISCONFIGURED")
                    .contains("url = 'https://csms.example/ocpp'", "CP-9");
        } finally {
            TestStores.close(store);
        }
    }

    private static final class NoChargers implements org.chargeedge.api.charger.SiteView {
        @Override
        public List<org.chargeedge.api.charger.ChargerInfo> chargers() {
            return List.of();
        }

        @Override
        public java.util.Optional<org.chargeedge.api.charger.ChargerInfo> charger(String chargePointId) {
            return java.util.Optional.empty();
        }
    }
}
