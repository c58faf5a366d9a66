package org.chargeedge.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.chargeedge.api.charger.ChargerCallException;
import org.chargeedge.api.charger.ChargerCommands;
import org.chargeedge.api.charger.ChargerDiagnostics;
import org.chargeedge.api.charger.ChargerInfo;
import org.chargeedge.api.charger.ConnectorInfo;
import org.chargeedge.api.charger.SiteReadiness;
import org.chargeedge.api.charger.SiteView;
import org.chargeedge.api.charger.TransactionInfo;
import org.chargeedge.api.upstream.UpstreamStatus;
import org.chargeedge.ocpp.v16.BootNotificationRequest;
import org.chargeedge.ocpp.v16.ChargePointErrorCode;
import org.chargeedge.ocpp.v16.ChargePointStatus;
import org.chargeedge.ocpp.v16.Confirmation;
import org.chargeedge.ocpp.v16.GetConfigurationConfirmation;
import org.chargeedge.ocpp.v16.GetConfigurationRequest;
import org.chargeedge.ocpp.v16.KeyValue;
import org.chargeedge.ocpp.v16.Measurand;
import org.chargeedge.ocpp.v16.MessageTrigger;
import org.chargeedge.ocpp.v16.MeterValue;
import org.chargeedge.ocpp.v16.RemoteStartStopStatus;
import org.chargeedge.ocpp.v16.RemoteStartTransactionConfirmation;
import org.chargeedge.ocpp.v16.RemoteStartTransactionRequest;
import org.chargeedge.ocpp.v16.Request;
import org.chargeedge.ocpp.v16.ResetRequest;
import org.chargeedge.ocpp.v16.ResetType;
import org.chargeedge.ocpp.v16.SampledValue;
import org.chargeedge.ocpp.v16.TriggerMessageRequest;
import org.chargeedge.ocpp.v16.UnitOfMeasure;
import org.junit.jupiter.api.Test;

class ChargerShellCommandsTest {

    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    private final List<Request<?>> sent = new ArrayList<>();
    private Confirmation answer;
    private RuntimeException failure;

    private final ChargerCommands commands = new ChargerCommands() {
        @Override
        @SuppressWarnings("unchecked")
        public <C extends Confirmation> CompletionStage<C> call(String chargePointId, Request<C> request) {
            sent.add(request);
            return failure != null ? CompletableFuture.failedFuture(failure)
                    : CompletableFuture.completedFuture((C) answer);
        }
    };

    private final ChargerInfo booted = new ChargerInfo("CP-1", true, T0, null, "10.0.0.5:41000",
            new BootNotificationRequest("Acme", "Wallbox 22", "SN1", null, "1.2.3", null, null, "M1", null),
            T0, T0.plusSeconds(60),
            List.of(new ConnectorInfo(0, ChargePointStatus.Available, ChargePointErrorCode.NoError, null, null, T0, null),
                    new ConnectorInfo(1, ChargePointStatus.Charging, ChargePointErrorCode.NoError, null, null, T0,
                            new MeterValue(T0, List.of(SampledValue.of("7400", Measurand.PowerActiveImport,
                                    UnitOfMeasure.W))))),
            List.of(new TransactionInfo(42, 1, "TAG1", 1000, T0, null)),
            new UpstreamStatus.Link("CP-1", false, null, T0.plusSeconds(5), "closed by the CSMS (1006)", 17,
                    T0.plusSeconds(10), 2));
    private final ChargerInfo silent = new ChargerInfo("CP-2", true, T0, null, "10.0.0.6:41000", null, null, T0,
            List.of(), List.of());

    private SiteReadiness readiness = new SiteReadiness(true, List.of(), List.of(), T0);
    private List<ChargerInfo> chargers = List.of(booted, silent);

    private final SiteView site = new SiteView() {
        @Override
        public List<ChargerInfo> chargers() {
            return chargers;
        }

        @Override
        public SiteReadiness readiness() {
            return readiness;
        }

        @Override
        public Optional<ChargerInfo> charger(String id) {
            return chargers().stream().filter(c -> c.chargePointId().equals(id)).findFirst();
        }
    };

    private final ChargerShellCommands shell = new ChargerShellCommands(site, commands);

    @Test
    void listShowsStateModelConnectorsAndTransactions() {
        String out = shell.chargers();
        assertThat(out).contains("CP-1", "connected", "Acme Wallbox 22", "1.2.3", "1:Charging", "[42]");
        assertThat(out.lines().filter(l -> l.startsWith("CP-2")).findFirst().orElseThrow()).contains("never booted");
    }

    @Test
    void siteShowsReadinessRequiredAndMissingParts() {
        readiness = new SiteReadiness(false, List.of("store", "authorization", "upstream"), List.of("upstream"),
                T0.plusSeconds(90));
        assertThat(shell.site()).isEqualTo("""
                Site             NOT READY since 2026-11-24 10:01:30Z: chargers' calls wait for the missing parts
                Required parts   store, authorization, upstream
                Missing parts    upstream
                """);
        readiness = new SiteReadiness(true, List.of("store", "authorization", "upstream"), List.of(), T0);
        assertThat(shell.site()).isEqualTo("""
                Site             ready since 2026-11-24 10:00:00Z
                Required parts   store, authorization, upstream
                Missing parts    none
                """);
        readiness = new SiteReadiness(true, List.of(), List.of(), null);
        assertThat(shell.site()).contains("ready since -", "Required parts   none");
    }

    @Test
    void chargerListStartsWithTheSiteLine() {
        assertThat(shell.chargers().lines().findFirst().orElseThrow()).isEqualTo("site: ready");
        readiness = new SiteReadiness(false, List.of("store", "authorization", "upstream"),
                List.of("store", "upstream"), T0);
        assertThat(shell.chargers().lines().toList()).first().isEqualTo("site: NOT READY, waiting for store, upstream");
        assertThat(shell.chargers().lines().toList().get(1)).startsWith("ID");
        chargers = List.of();
        assertThat(shell.chargers()).isEqualTo("site: NOT READY, waiting for store, upstream\nNo charger has connected yet.");
    }

    @Test
    void detailShowsBootConnectorsMeterAndTransaction() {
        String out = shell.charger("CP-1");
        assertThat(out).contains("Acme Wallbox 22", "serial SN1", "Connector 1", "Charging",
                "Power.Active.Import 7400 W", "Transaction 42", "idTag TAG1");
        assertThat(shell.charger("CP-9")).startsWith("Unknown charger CP-9").contains("CP-1, CP-2");
        assertThat(shell.charger("CP-2")).contains("no BootNotification received").doesNotContain("Upstream");
        assertThat(out).contains("Upstream", "down since", "17 queued", "2 failed", "closed by the CSMS (1006)");
        assertThat(out).doesNotContain("Refused key", "Local list");
    }

    @Test
    void chargerShowsRefusedKeysAndALocalListOutOfStep() {
        chargers = List.of(booted.withDiagnostics(new ChargerDiagnostics(List.of(
                new ChargerDiagnostics.ConfigurationKeyProblem("NoSuchKey", null,
                        ChargerDiagnostics.KeyOutcome.UNKNOWN_KEY, T0),
                new ChargerDiagnostics.ConfigurationKeyProblem("MeterValueSampleInterval", "1",
                        ChargerDiagnostics.KeyOutcome.REJECTED, T0)),
                new ChargerDiagnostics.LocalListProblem(ChargerDiagnostics.LocalListOutcome.OUT_OF_STEP, null, 5, 0,
                        T0.plusSeconds(30)))));
        String out = shell.charger("CP-1");
        assertThat(out).contains("Local list       reports version 0, accepted 5: push the full list"
                + " (2026-11-24 10:00:30Z)\n");
        assertThat(out).contains("Refused key      NoSuchKey: unknown key (2026-11-24 10:00:00Z)\n"
                + "Refused key      MeterValueSampleInterval = 1: Rejected (2026-11-24 10:00:00Z)\n");
    }

    @Test
    void remoteStartSendsTheRequestAndPrintsTheAnswer() {
        answer = new RemoteStartTransactionConfirmation(RemoteStartStopStatus.Accepted);
        assertThat(shell.remotestart("CP-1", "TAG1", 2)).contains("Accepted");
        assertThat(shell.remotestart("CP-1", "TAG1")).contains("Accepted");
        assertThat(sent).containsExactly(new RemoteStartTransactionRequest(2, "TAG1", null),
                new RemoteStartTransactionRequest(null, "TAG1", null));
    }

    @Test
    void failuresAreSentencesNotStackTraces() {
        failure = new ChargerCallException("CP-3", ChargerCallException.Reason.NOT_CONNECTED, null,
                "CP-3 is not connected");
        assertThat(shell.reset("CP-3", "hard")).isEqualTo("Failed: CP-3 is not connected");
        assertThat(sent).containsExactly(new ResetRequest(ResetType.Hard));
    }

    @Test
    void badArgumentsAreRefusedBeforeAnythingIsSent() {
        assertThat(shell.reset("CP-1", "sideways")).contains("soft or hard");
        assertThat(shell.trigger("CP-1", "Coffee")).contains("Unknown message Coffee");
        assertThat(sent).isEmpty();
    }

    @Test
    void triggerAndGetConfiguration() {
        answer = new GetConfigurationConfirmation(List.of(new KeyValue("HeartbeatInterval", false, "300")),
                List.of("Nope"));
        String out = shell.getconfig("CP-1", "HeartbeatInterval", "Nope");
        assertThat(out).contains("HeartbeatInterval", "rw", "300", "Unknown keys: Nope");
        answer = null;
        shell.trigger("CP-1", "metervalues", 1);
        assertThat(sent).containsExactly(new GetConfigurationRequest(List.of("HeartbeatInterval", "Nope")),
                new TriggerMessageRequest(MessageTrigger.MeterValues, 1));
    }
}
