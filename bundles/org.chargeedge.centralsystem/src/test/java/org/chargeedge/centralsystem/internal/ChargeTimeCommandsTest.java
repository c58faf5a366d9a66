package org.chargeedge.centralsystem.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.chargeedge.centralsystem.internal.Await.result;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.chargeedge.ocpp.v16.AuthorizationData;
import org.chargeedge.ocpp.v16.AuthorizationStatus;
import org.chargeedge.ocpp.v16.AvailabilityStatus;
import org.chargeedge.ocpp.v16.AvailabilityType;
import org.chargeedge.ocpp.v16.CancelReservationConfirmation;
import org.chargeedge.ocpp.v16.CancelReservationRequest;
import org.chargeedge.ocpp.v16.CancelReservationStatus;
import org.chargeedge.ocpp.v16.ChangeAvailabilityConfirmation;
import org.chargeedge.ocpp.v16.ChangeAvailabilityRequest;
import org.chargeedge.ocpp.v16.ChangeConfigurationConfirmation;
import org.chargeedge.ocpp.v16.ChangeConfigurationRequest;
import org.chargeedge.ocpp.v16.ChargingProfile;
import org.chargeedge.ocpp.v16.ChargingProfileKindType;
import org.chargeedge.ocpp.v16.ChargingProfilePurposeType;
import org.chargeedge.ocpp.v16.ChargingProfileStatus;
import org.chargeedge.ocpp.v16.ChargingRateUnitType;
import org.chargeedge.ocpp.v16.ChargingSchedule;
import org.chargeedge.ocpp.v16.ChargingSchedulePeriod;
import org.chargeedge.ocpp.v16.ClearCacheConfirmation;
import org.chargeedge.ocpp.v16.ClearCacheRequest;
import org.chargeedge.ocpp.v16.ClearCacheStatus;
import org.chargeedge.ocpp.v16.ClearChargingProfileConfirmation;
import org.chargeedge.ocpp.v16.ClearChargingProfileRequest;
import org.chargeedge.ocpp.v16.ClearChargingProfileStatus;
import org.chargeedge.ocpp.v16.ConfigurationStatus;
import org.chargeedge.ocpp.v16.DataTransferConfirmation;
import org.chargeedge.ocpp.v16.DataTransferRequest;
import org.chargeedge.ocpp.v16.DataTransferStatus;
import org.chargeedge.ocpp.v16.GetCompositeScheduleConfirmation;
import org.chargeedge.ocpp.v16.GetCompositeScheduleRequest;
import org.chargeedge.ocpp.v16.GetCompositeScheduleStatus;
import org.chargeedge.ocpp.v16.GetConfigurationConfirmation;
import org.chargeedge.ocpp.v16.GetConfigurationRequest;
import org.chargeedge.ocpp.v16.GetDiagnosticsConfirmation;
import org.chargeedge.ocpp.v16.GetDiagnosticsRequest;
import org.chargeedge.ocpp.v16.GetLocalListVersionConfirmation;
import org.chargeedge.ocpp.v16.GetLocalListVersionRequest;
import org.chargeedge.ocpp.v16.IdTagInfo;
import org.chargeedge.ocpp.v16.KeyValue;
import org.chargeedge.ocpp.v16.MessageTrigger;
import org.chargeedge.ocpp.v16.RecurrencyKindType;
import org.chargeedge.ocpp.v16.RemoteStartStopStatus;
import org.chargeedge.ocpp.v16.RemoteStartTransactionConfirmation;
import org.chargeedge.ocpp.v16.RemoteStartTransactionRequest;
import org.chargeedge.ocpp.v16.RemoteStopTransactionConfirmation;
import org.chargeedge.ocpp.v16.RemoteStopTransactionRequest;
import org.chargeedge.ocpp.v16.ReservationStatus;
import org.chargeedge.ocpp.v16.ReserveNowConfirmation;
import org.chargeedge.ocpp.v16.ReserveNowRequest;
import org.chargeedge.ocpp.v16.ResetConfirmation;
import org.chargeedge.ocpp.v16.ResetRequest;
import org.chargeedge.ocpp.v16.ResetStatus;
import org.chargeedge.ocpp.v16.ResetType;
import org.chargeedge.ocpp.v16.SendLocalListConfirmation;
import org.chargeedge.ocpp.v16.SendLocalListRequest;
import org.chargeedge.ocpp.v16.SetChargingProfileConfirmation;
import org.chargeedge.ocpp.v16.SetChargingProfileRequest;
import org.chargeedge.ocpp.v16.TriggerMessageConfirmation;
import org.chargeedge.ocpp.v16.TriggerMessageRequest;
import org.chargeedge.ocpp.v16.TriggerMessageStatus;
import org.chargeedge.ocpp.v16.UnlockConnectorConfirmation;
import org.chargeedge.ocpp.v16.UnlockConnectorRequest;
import org.chargeedge.ocpp.v16.UnlockStatus;
import org.chargeedge.ocpp.v16.UpdateFirmwareConfirmation;
import org.chargeedge.ocpp.v16.UpdateFirmwareRequest;
import org.chargeedge.ocpp.v16.UpdateType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every central-system command, sent through ChargerCommands.call to a charger
 * built on ChargeTimeEU's independent OCPP 1.6J implementation: the charger
 * must receive the fields we sent and we must decode its typed answer (the
 * fixed, mostly non-default values of {@link ChargeTimeCharger}).
 */
class ChargeTimeCommandsTest {

    private static final String ID = "CT-CMD";
    private static final Instant T1 = Instant.parse("2030-05-06T07:08:09Z");
    private static final Instant T2 = Instant.parse("2030-05-07T07:08:09Z");

    @TempDir
    static Path dataDir;
    static CentralSystemHarness harness;
    static ChargeTimeCharger charger;

    @BeforeAll
    static void start() throws Exception {
        harness = new CentralSystemHarness(dataDir, Map.of("callTimeout", 5));
        charger = ChargeTimeCharger.connect(harness, ID);
        // A round trip: the gateway has registered the session once it answered.
        charger.send(charger.core.createHeartbeatRequest());
    }

    @AfterAll
    static void stop() throws Exception {
        if (charger != null) {
            charger.close();
        }
        if (harness != null) {
            harness.close();
        }
    }

    private static ZonedDateTime utc(Instant i) {
        return i.atZone(java.time.ZoneOffset.UTC);
    }

    private static ChargingProfile txProfile() {
        return new ChargingProfile(5, null, 1, ChargingProfilePurposeType.TxProfile,
                ChargingProfileKindType.Absolute, null, null, null,
                new ChargingSchedule(600, T1, ChargingRateUnitType.W,
                        List.of(new ChargingSchedulePeriod(0, 7400.0, null),
                                new ChargingSchedulePeriod(300, 3700.5, 1)), null));
    }

    @Test
    void remoteStartTransaction() throws Exception {
        RemoteStartTransactionConfirmation c = result(harness.centralSystem.call(ID,
                new RemoteStartTransactionRequest(2, "TAG-RS", txProfile())));
        assertThat(c.status()).isEqualTo(RemoteStartStopStatus.Rejected);

        eu.chargetime.ocpp.model.core.RemoteStartTransactionRequest got = charger.received("RemoteStartTransaction");
        assertThat(got.getConnectorId()).isEqualTo(2);
        assertThat(got.getIdTag()).isEqualTo("TAG-RS");
        eu.chargetime.ocpp.model.core.ChargingProfile p = got.getChargingProfile();
        assertThat(p.getChargingProfileId()).isEqualTo(5);
        assertThat(p.getStackLevel()).isEqualTo(1);
        assertThat(p.getChargingProfilePurpose())
                .isEqualTo(eu.chargetime.ocpp.model.core.ChargingProfilePurposeType.TxProfile);
        assertThat(p.getChargingProfileKind())
                .isEqualTo(eu.chargetime.ocpp.model.core.ChargingProfileKindType.Absolute);
        assertThat(p.getChargingSchedule().getDuration()).isEqualTo(600);
        assertThat(p.getChargingSchedule().getStartSchedule().toInstant()).isEqualTo(T1);
        assertThat(p.getChargingSchedule().getChargingRateUnit())
                .isEqualTo(eu.chargetime.ocpp.model.core.ChargingRateUnitType.W);
        assertThat(p.getChargingSchedule().getChargingSchedulePeriod()).hasSize(2);
        assertThat(p.getChargingSchedule().getChargingSchedulePeriod()[1].getStartPeriod()).isEqualTo(300);
        assertThat(p.getChargingSchedule().getChargingSchedulePeriod()[1].getLimit()).isEqualTo(3700.5);
        assertThat(p.getChargingSchedule().getChargingSchedulePeriod()[1].getNumberPhases()).isEqualTo(1);
    }

    @Test
    void remoteStopTransaction() throws Exception {
        RemoteStopTransactionConfirmation c = result(harness.centralSystem.call(ID,
                new RemoteStopTransactionRequest(4711)));
        assertThat(c.status()).isEqualTo(RemoteStartStopStatus.Accepted);
        eu.chargetime.ocpp.model.core.RemoteStopTransactionRequest got = charger.received("RemoteStopTransaction");
        assertThat(got.getTransactionId()).isEqualTo(4711);
    }

    @Test
    void reset() throws Exception {
        ResetConfirmation c = result(harness.centralSystem.call(ID, new ResetRequest(ResetType.Soft)));
        assertThat(c.status()).isEqualTo(ResetStatus.Rejected);
        eu.chargetime.ocpp.model.core.ResetRequest got = charger.received("Reset");
        assertThat(got.getType()).isEqualTo(eu.chargetime.ocpp.model.core.ResetType.Soft);
    }

    @Test
    void changeAvailability() throws Exception {
        ChangeAvailabilityConfirmation c = result(harness.centralSystem.call(ID,
                new ChangeAvailabilityRequest(1, AvailabilityType.Inoperative)));
        assertThat(c.status()).isEqualTo(AvailabilityStatus.Scheduled);
        eu.chargetime.ocpp.model.core.ChangeAvailabilityRequest got = charger.received("ChangeAvailability");
        assertThat(got.getConnectorId()).isEqualTo(1);
        assertThat(got.getType()).isEqualTo(eu.chargetime.ocpp.model.core.AvailabilityType.Inoperative);
    }

    @Test
    void changeConfiguration() throws Exception {
        ChangeConfigurationConfirmation c = result(harness.centralSystem.call(ID,
                new ChangeConfigurationRequest("MeterValueSampleInterval", "30")));
        assertThat(c.status()).isEqualTo(ConfigurationStatus.RebootRequired);
        eu.chargetime.ocpp.model.core.ChangeConfigurationRequest got = charger.received("ChangeConfiguration");
        assertThat(got.getKey()).isEqualTo("MeterValueSampleInterval");
        assertThat(got.getValue()).isEqualTo("30");
    }

    @Test
    void getConfiguration() throws Exception {
        GetConfigurationConfirmation c = result(harness.centralSystem.call(ID,
                new GetConfigurationRequest(List.of("HeartbeatInterval", "NumberOfConnectors", "NoSuchKey"))));
        assertThat(c.configurationKey()).containsExactly(new KeyValue("HeartbeatInterval", false, "120"),
                new KeyValue("NumberOfConnectors", true, "2"));
        assertThat(c.unknownKey()).containsExactly("NoSuchKey");
        eu.chargetime.ocpp.model.core.GetConfigurationRequest got = charger.received("GetConfiguration");
        assertThat(got.getKey()).containsExactly("HeartbeatInterval", "NumberOfConnectors", "NoSuchKey");
    }

    @Test
    void clearCache() throws Exception {
        ClearCacheConfirmation c = result(harness.centralSystem.call(ID, new ClearCacheRequest()));
        assertThat(c.status()).isEqualTo(ClearCacheStatus.Rejected);
        assertThat(charger.received).containsKey("ClearCache");
    }

    @Test
    void unlockConnector() throws Exception {
        UnlockConnectorConfirmation c = result(harness.centralSystem.call(ID, new UnlockConnectorRequest(2)));
        assertThat(c.status()).isEqualTo(UnlockStatus.UnlockFailed);
        eu.chargetime.ocpp.model.core.UnlockConnectorRequest got = charger.received("UnlockConnector");
        assertThat(got.getConnectorId()).isEqualTo(2);
    }

    @Test
    void triggerMessage() throws Exception {
        TriggerMessageConfirmation c = result(harness.centralSystem.call(ID,
                new TriggerMessageRequest(MessageTrigger.StatusNotification, 1)));
        assertThat(c.status()).isEqualTo(TriggerMessageStatus.NotImplemented);
        eu.chargetime.ocpp.model.remotetrigger.TriggerMessageRequest got = charger.received("TriggerMessage");
        assertThat(got.getRequestedMessage())
                .isEqualTo(eu.chargetime.ocpp.model.remotetrigger.TriggerMessageRequestType.StatusNotification);
        assertThat(got.getConnectorId()).isEqualTo(1);
    }

    @Test
    void dataTransfer() throws Exception {
        DataTransferConfirmation c = result(harness.centralSystem.call(ID,
                new DataTransferRequest("org.chargeedge", "ping", "{\"n\":1}")));
        assertThat(c.status()).isEqualTo(DataTransferStatus.Accepted);
        assertThat(c.data()).isEqualTo("charger says: {\"n\":1}");
        eu.chargetime.ocpp.model.core.DataTransferRequest got = charger.received("DataTransfer");
        assertThat(got.getVendorId()).isEqualTo("org.chargeedge");
        assertThat(got.getMessageId()).isEqualTo("ping");
        assertThat(got.getData()).isEqualTo("{\"n\":1}");
    }

    @Test
    void getDiagnostics() throws Exception {
        GetDiagnosticsConfirmation c = result(harness.centralSystem.call(ID,
                new GetDiagnosticsRequest("ftp://logs.example/upload", 3, 60, T1, T2)));
        assertThat(c.fileName()).isEqualTo("diagnostics-42.zip");
        eu.chargetime.ocpp.model.firmware.GetDiagnosticsRequest got = charger.received("GetDiagnostics");
        assertThat(got.getLocation()).isEqualTo("ftp://logs.example/upload");
        assertThat(got.getRetries()).isEqualTo(3);
        assertThat(got.getRetryInterval()).isEqualTo(60);
        assertThat(got.getStartTime().toInstant()).isEqualTo(T1);
        assertThat(got.getStopTime().toInstant()).isEqualTo(T2);
    }

    @Test
    void updateFirmware() throws Exception {
        UpdateFirmwareConfirmation c = result(harness.centralSystem.call(ID,
                new UpdateFirmwareRequest("https://fw.example/cp-2.0.bin", 2, T1, 30)));
        assertThat(c).isEqualTo(new UpdateFirmwareConfirmation());
        eu.chargetime.ocpp.model.firmware.UpdateFirmwareRequest got = charger.received("UpdateFirmware");
        assertThat(got.getLocation()).isEqualTo("https://fw.example/cp-2.0.bin");
        assertThat(got.getRetries()).isEqualTo(2);
        assertThat(got.getRetryInterval()).isEqualTo(30);
        assertThat(got.getRetrieveDate().toInstant()).isEqualTo(T1);
    }

    @Test
    void reserveNow() throws Exception {
        ReserveNowConfirmation c = result(harness.centralSystem.call(ID,
                new ReserveNowRequest(1, T2, "TAG-R", "PARENT-R", 42)));
        assertThat(c.status()).isEqualTo(ReservationStatus.Occupied);
        eu.chargetime.ocpp.model.reservation.ReserveNowRequest got = charger.received("ReserveNow");
        assertThat(got.getConnectorId()).isEqualTo(1);
        assertThat(got.getExpiryDate().toInstant()).isEqualTo(T2);
        assertThat(got.getIdTag()).isEqualTo("TAG-R");
        assertThat(got.getParentIdTag()).isEqualTo("PARENT-R");
        assertThat(got.getReservationId()).isEqualTo(42);
    }

    @Test
    void cancelReservation() throws Exception {
        CancelReservationConfirmation c = result(harness.centralSystem.call(ID, new CancelReservationRequest(42)));
        assertThat(c.status()).isEqualTo(CancelReservationStatus.Rejected);
        eu.chargetime.ocpp.model.reservation.CancelReservationRequest got = charger.received("CancelReservation");
        assertThat(got.getReservationId()).isEqualTo(42);
    }

    @Test
    void sendLocalList() throws Exception {
        SendLocalListConfirmation c = result(harness.centralSystem.call(ID, new SendLocalListRequest(8,
                List.of(new AuthorizationData("TAG-A", new IdTagInfo(T2, "PARENT", AuthorizationStatus.Accepted)),
                        new AuthorizationData("TAG-B", IdTagInfo.of(AuthorizationStatus.Blocked))),
                UpdateType.Full)));
        assertThat(c.status()).isEqualTo(org.chargeedge.ocpp.v16.UpdateStatus.VersionMismatch);
        eu.chargetime.ocpp.model.localauthlist.SendLocalListRequest got = charger.received("SendLocalList");
        assertThat(got.getListVersion()).isEqualTo(8);
        assertThat(got.getUpdateType()).isEqualTo(eu.chargetime.ocpp.model.localauthlist.UpdateType.Full);
        assertThat(Arrays.stream(got.getLocalAuthorizationList()).map(a -> a.getIdTag())).containsExactly("TAG-A", "TAG-B");
        eu.chargetime.ocpp.model.core.IdTagInfo first = got.getLocalAuthorizationList()[0].getIdTagInfo();
        assertThat(first.getStatus()).isEqualTo(eu.chargetime.ocpp.model.core.AuthorizationStatus.Accepted);
        assertThat(first.getParentIdTag()).isEqualTo("PARENT");
        assertThat(first.getExpiryDate().toInstant()).isEqualTo(T2);
        assertThat(got.getLocalAuthorizationList()[1].getIdTagInfo().getStatus())
                .isEqualTo(eu.chargetime.ocpp.model.core.AuthorizationStatus.Blocked);
    }

    @Test
    void getLocalListVersion() throws Exception {
        GetLocalListVersionConfirmation c = result(harness.centralSystem.call(ID, new GetLocalListVersionRequest()));
        assertThat(c.listVersion()).isEqualTo(17);
        assertThat(charger.received).containsKey("GetLocalListVersion");
    }

    @Test
    void setChargingProfile() throws Exception {
        ChargingProfile profile = new ChargingProfile(9, null, 2, ChargingProfilePurposeType.TxDefaultProfile,
                ChargingProfileKindType.Recurring, RecurrencyKindType.Daily, T1, T2,
                new ChargingSchedule(86400, T1, ChargingRateUnitType.A,
                        List.of(new ChargingSchedulePeriod(0, 32.0, 3)), 6.0));
        SetChargingProfileConfirmation c = result(harness.centralSystem.call(ID,
                new SetChargingProfileRequest(1, profile)));
        assertThat(c.status()).isEqualTo(ChargingProfileStatus.NotSupported);
        eu.chargetime.ocpp.model.smartcharging.SetChargingProfileRequest got = charger.received("SetChargingProfile");
        assertThat(got.getConnectorId()).isEqualTo(1);
        eu.chargetime.ocpp.model.core.ChargingProfile p = got.getCsChargingProfiles();
        assertThat(p.getChargingProfileId()).isEqualTo(9);
        assertThat(p.getStackLevel()).isEqualTo(2);
        assertThat(p.getChargingProfilePurpose())
                .isEqualTo(eu.chargetime.ocpp.model.core.ChargingProfilePurposeType.TxDefaultProfile);
        assertThat(p.getChargingProfileKind())
                .isEqualTo(eu.chargetime.ocpp.model.core.ChargingProfileKindType.Recurring);
        assertThat(p.getRecurrencyKind()).isEqualTo(eu.chargetime.ocpp.model.core.RecurrencyKindType.Daily);
        assertThat(p.getValidFrom().toInstant()).isEqualTo(T1);
        assertThat(p.getValidTo().toInstant()).isEqualTo(T2);
        assertThat(p.getChargingSchedule().getChargingRateUnit())
                .isEqualTo(eu.chargetime.ocpp.model.core.ChargingRateUnitType.A);
        assertThat(p.getChargingSchedule().getMinChargingRate()).isEqualTo(6.0);
        assertThat(p.getChargingSchedule().getChargingSchedulePeriod()[0].getLimit()).isEqualTo(32.0);
        assertThat(p.getChargingSchedule().getChargingSchedulePeriod()[0].getNumberPhases()).isEqualTo(3);
    }

    @Test
    void clearChargingProfile() throws Exception {
        ClearChargingProfileConfirmation c = result(harness.centralSystem.call(ID,
                new ClearChargingProfileRequest(9, 1, ChargingProfilePurposeType.TxDefaultProfile, 2)));
        assertThat(c.status()).isEqualTo(ClearChargingProfileStatus.Unknown);
        eu.chargetime.ocpp.model.smartcharging.ClearChargingProfileRequest got = charger.received("ClearChargingProfile");
        assertThat(got.getId()).isEqualTo(9);
        assertThat(got.getConnectorId()).isEqualTo(1);
        assertThat(got.getChargingProfilePurpose())
                .isEqualTo(eu.chargetime.ocpp.model.core.ChargingProfilePurposeType.TxDefaultProfile);
        assertThat(got.getStackLevel()).isEqualTo(2);
    }

    @Test
    void getCompositeSchedule() throws Exception {
        GetCompositeScheduleConfirmation c = result(harness.centralSystem.call(ID,
                new GetCompositeScheduleRequest(1, 3600, ChargingRateUnitType.A)));
        assertThat(c.status()).isEqualTo(GetCompositeScheduleStatus.Accepted);
        assertThat(c.connectorId()).isEqualTo(1);
        assertThat(c.scheduleStart()).isEqualTo(ChargeTimeCharger.SCHEDULE_START.toInstant());
        assertThat(c.chargingSchedule().duration()).isEqualTo(3600);
        assertThat(c.chargingSchedule().chargingRateUnit()).isEqualTo(ChargingRateUnitType.A);
        assertThat(c.chargingSchedule().chargingSchedulePeriod()).containsExactly(
                new ChargingSchedulePeriod(0, 16.0, 1), new ChargingSchedulePeriod(1800, 10.5, 3));
        eu.chargetime.ocpp.model.smartcharging.GetCompositeScheduleRequest got = charger.received("GetCompositeSchedule");
        assertThat(got.getConnectorId()).isEqualTo(1);
        assertThat(got.getDuration()).isEqualTo(3600);
        assertThat(got.getChargingRateUnit())
                .isEqualTo(eu.chargetime.ocpp.model.smartcharging.ChargingRateUnitType.A);
    }
}
