package org.chargeedge.centralsystem.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.chargeedge.centralsystem.internal.Await.failure;
import static org.chargeedge.centralsystem.internal.Await.result;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.chargeedge.api.charger.ChargerCallException;
import org.chargeedge.api.charger.ChargerDiagnostics;
import org.chargeedge.api.charger.ChargerDiagnostics.ConfigurationKeyProblem;
import org.chargeedge.api.charger.ChargerDiagnostics.KeyOutcome;
import org.chargeedge.api.charger.ChargerDiagnostics.LocalListOutcome;
import org.chargeedge.api.charger.ChargerDiagnostics.LocalListProblem;
import org.chargeedge.ocpp.v16.ChangeConfigurationRequest;
import org.chargeedge.ocpp.v16.GetConfigurationRequest;
import org.chargeedge.ocpp.v16.GetLocalListVersionRequest;
import org.chargeedge.ocpp.v16.SendLocalListRequest;
import org.chargeedge.ocpp.v16.UpdateType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import eu.chargetime.ocpp.model.core.ConfigurationStatus;
import eu.chargetime.ocpp.model.localauthlist.UpdateStatus;

/**
 * The installer's diagnostics a real OCPP charger (ChargeTimeEU's, over
 * WebSocket) produces by its answers: configuration keys refused, unknown
 * or needing a reboot, and a local list it cannot store or that is out of
 * step; what clears them, and the bound.
 */
class InstallerDiagnosticsTest {

    private static final String ID = "CP-DIAG";

    @TempDir
    Path dataDir;
    CentralSystemHarness harness;
    ChargeTimeCharger charger;

    @BeforeEach
    void start() throws Exception {
        harness = new CentralSystemHarness(dataDir, Map.of("callTimeout", 5));
        charger = ChargeTimeCharger.connect(harness, ID);
        Await.until("connected", () -> harness.centralSystem.charger(ID).isPresent());
    }

    @AfterEach
    void stop() throws Exception {
        charger.close();
        harness.close();
    }

    private ChargerDiagnostics diagnostics() {
        return harness.centralSystem.charger(ID).orElseThrow().diagnostics();
    }

    private void change(String key, String value) throws Exception {
        result(harness.centralSystem.call(ID, new ChangeConfigurationRequest(key, value)));
    }

    @Test
    void refusedAndUnknownKeysAreListedUntilTheChargerAcceptsThem() throws Exception {
        assertThat(diagnostics()).isEqualTo(ChargerDiagnostics.NONE);
        charger.changeConfiguration = r -> switch (r.getKey()) {
            case "MeterValueSampleInterval" -> ConfigurationStatus.Rejected;
            case "HeartbeatInterval" -> ConfigurationStatus.RebootRequired;
            default -> ConfigurationStatus.NotSupported;
        };
        change("MeterValueSampleInterval", "1");
        change("HeartbeatInterval", "30");
        change("VendorTurbo", "on");
        List<ConfigurationKeyProblem> keys = diagnostics().configuration();
        assertThat(keys).extracting(ConfigurationKeyProblem::key)
                .containsExactly("VendorTurbo", "HeartbeatInterval", "MeterValueSampleInterval");
        assertThat(keys).extracting(ConfigurationKeyProblem::outcome)
                .containsExactly(KeyOutcome.NOT_SUPPORTED, KeyOutcome.REBOOT_REQUIRED, KeyOutcome.REJECTED);
        assertThat(keys.get(2).value()).isEqualTo("1");
        assertThat(keys.get(2).at()).isNotNull();

        // GetConfiguration: NoSuchKey is unknown; HeartbeatInterval exists, but its pending change stays named
        result(harness.centralSystem.call(ID, new GetConfigurationRequest(List.of("HeartbeatInterval", "NoSuchKey"))));
        assertThat(diagnostics().configuration()).extracting(ConfigurationKeyProblem::key)
                .containsExactly("NoSuchKey", "VendorTurbo", "HeartbeatInterval", "MeterValueSampleInterval");
        assertThat(diagnostics().configuration().get(0).outcome()).isEqualTo(KeyOutcome.UNKNOWN_KEY);
        assertThat(diagnostics().configuration().get(0).value()).isNull();

        // a value the charger accepts clears its key (compared without case, as OCPP keys are)
        charger.changeConfiguration = r -> ConfigurationStatus.Accepted;
        change("metervaluesampleinterval", "60");
        assertThat(diagnostics().configuration()).extracting(ConfigurationKeyProblem::key)
                .containsExactly("NoSuchKey", "VendorTurbo", "HeartbeatInterval");

        // a call that fails records nothing, and another charger's calls touch nothing here
        ChargerCallException absent = failure(harness.centralSystem.call("CP-NOBODY",
                new ChangeConfigurationRequest("HeartbeatInterval", "1")));
        assertThat(absent.reason()).isEqualTo(ChargerCallException.Reason.NOT_CONNECTED);
        assertThat(harness.centralSystem.charger("CP-NOBODY")).isEmpty();
        assertThat(diagnostics().configuration()).hasSize(3);

        // the charger reboots: the value that waited for it applies, the other keys stay named
        charger.send(charger.core.createBootNotificationRequest("Acme", "Wallbox 22"));
        assertThat(diagnostics().configuration()).extracting(ConfigurationKeyProblem::key)
                .containsExactly("NoSuchKey", "VendorTurbo");
    }

    @Test
    void keysAreBoundedPerChargerNewestFirst() throws Exception {
        charger.changeConfiguration = r -> ConfigurationStatus.NotSupported;
        int sent = ChargerDiagnostics.MAX_KEYS + 8;
        for (int i = 0; i < sent; i++) {
            change("Key" + i, "x");
        }
        List<ConfigurationKeyProblem> keys = diagnostics().configuration();
        assertThat(keys).hasSize(ChargerDiagnostics.MAX_KEYS);
        assertThat(keys.get(0).key()).isEqualTo("Key" + (sent - 1));
        assertThat(keys).extracting(ConfigurationKeyProblem::key).doesNotContain("Key0", "Key7").contains("Key8");
    }

    @Test
    void aLocalListTheChargerCannotStoreOrThatIsOutOfStepIsNamed() throws Exception {
        // nothing pushed through the gateway yet: a version cannot be judged
        result(harness.centralSystem.call(ID, new GetLocalListVersionRequest()));
        assertThat(diagnostics().localList()).isNull();

        result(harness.centralSystem.call(ID, new SendLocalListRequest(3, List.of(), UpdateType.Differential)));
        LocalListProblem mismatch = diagnostics().localList();
        assertThat(mismatch.outcome()).isEqualTo(LocalListOutcome.VERSION_MISMATCH);
        assertThat(mismatch.attemptedVersion()).isEqualTo(3);
        assertThat(mismatch.acceptedVersion()).isNull();

        charger.sendLocalList = r -> UpdateStatus.Failed;
        result(harness.centralSystem.call(ID, new SendLocalListRequest(4, List.of(), UpdateType.Full)));
        assertThat(diagnostics().localList().outcome()).isEqualTo(LocalListOutcome.FAILED);

        charger.sendLocalList = r -> UpdateStatus.Accepted;
        result(harness.centralSystem.call(ID, new SendLocalListRequest(5, List.of(), UpdateType.Full)));
        assertThat(diagnostics().localList()).isNull();

        // the charger reports 17 although it accepted 5: its list is not the one pushed
        result(harness.centralSystem.call(ID, new GetLocalListVersionRequest()));
        LocalListProblem outOfStep = diagnostics().localList();
        assertThat(outOfStep.outcome()).isEqualTo(LocalListOutcome.OUT_OF_STEP);
        assertThat(outOfStep.acceptedVersion()).isEqualTo(5);
        assertThat(outOfStep.reportedVersion()).isEqualTo(17);

        charger.localListVersion = 5;
        result(harness.centralSystem.call(ID, new GetLocalListVersionRequest()));
        assertThat(diagnostics().localList()).isNull();

        // still shown once the charger is gone: the installer reads it after the fact
        charger.sendLocalList = r -> UpdateStatus.Failed;
        result(harness.centralSystem.call(ID, new SendLocalListRequest(6, List.of(), UpdateType.Full)));
        charger.close();
        Await.until("disconnected", () -> !harness.centralSystem.charger(ID).orElseThrow().connected());
        assertThat(diagnostics().localList().outcome()).isEqualTo(LocalListOutcome.FAILED);
        assertThat(diagnostics().localList().acceptedVersion()).isEqualTo(5);
    }
}
