package org.chargeedge.centralsystem.internal;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import javax.net.ssl.SSLContext;

import eu.chargetime.ocpp.JSONClient;
import eu.chargetime.ocpp.JSONConfiguration;
import eu.chargetime.ocpp.feature.profile.ClientCoreEventHandler;
import eu.chargetime.ocpp.feature.profile.ClientCoreProfile;
import eu.chargetime.ocpp.feature.profile.ClientFirmwareManagementEventHandler;
import eu.chargetime.ocpp.feature.profile.ClientFirmwareManagementProfile;
import eu.chargetime.ocpp.feature.profile.ClientLocalAuthListEventHandler;
import eu.chargetime.ocpp.feature.profile.ClientLocalAuthListProfile;
import eu.chargetime.ocpp.feature.profile.ClientRemoteTriggerEventHandler;
import eu.chargetime.ocpp.feature.profile.ClientRemoteTriggerProfile;
import eu.chargetime.ocpp.feature.profile.ClientReservationEventHandler;
import eu.chargetime.ocpp.feature.profile.ClientReservationProfile;
import eu.chargetime.ocpp.feature.profile.ClientSmartChargingEventHandler;
import eu.chargetime.ocpp.feature.profile.ClientSmartChargingProfile;
import eu.chargetime.ocpp.model.Confirmation;
import eu.chargetime.ocpp.model.Request;
import eu.chargetime.ocpp.model.core.AvailabilityStatus;
import eu.chargetime.ocpp.model.core.ChangeAvailabilityConfirmation;
import eu.chargetime.ocpp.model.core.ChangeAvailabilityRequest;
import eu.chargetime.ocpp.model.core.ChangeConfigurationConfirmation;
import eu.chargetime.ocpp.model.core.ChangeConfigurationRequest;
import eu.chargetime.ocpp.model.core.ChargingRateUnitType;
import eu.chargetime.ocpp.model.core.ChargingSchedule;
import eu.chargetime.ocpp.model.core.ChargingSchedulePeriod;
import eu.chargetime.ocpp.model.core.ClearCacheConfirmation;
import eu.chargetime.ocpp.model.core.ClearCacheRequest;
import eu.chargetime.ocpp.model.core.ClearCacheStatus;
import eu.chargetime.ocpp.model.core.ConfigurationStatus;
import eu.chargetime.ocpp.model.core.DataTransferConfirmation;
import eu.chargetime.ocpp.model.core.DataTransferRequest;
import eu.chargetime.ocpp.model.core.DataTransferStatus;
import eu.chargetime.ocpp.model.core.GetConfigurationConfirmation;
import eu.chargetime.ocpp.model.core.GetConfigurationRequest;
import eu.chargetime.ocpp.model.core.KeyValueType;
import eu.chargetime.ocpp.model.core.RemoteStartStopStatus;
import eu.chargetime.ocpp.model.core.RemoteStartTransactionConfirmation;
import eu.chargetime.ocpp.model.core.RemoteStartTransactionRequest;
import eu.chargetime.ocpp.model.core.RemoteStopTransactionConfirmation;
import eu.chargetime.ocpp.model.core.RemoteStopTransactionRequest;
import eu.chargetime.ocpp.model.core.ResetConfirmation;
import eu.chargetime.ocpp.model.core.ResetRequest;
import eu.chargetime.ocpp.model.core.ResetStatus;
import eu.chargetime.ocpp.model.core.UnlockConnectorConfirmation;
import eu.chargetime.ocpp.model.core.UnlockConnectorRequest;
import eu.chargetime.ocpp.model.core.UnlockStatus;
import eu.chargetime.ocpp.model.firmware.GetDiagnosticsConfirmation;
import eu.chargetime.ocpp.model.firmware.GetDiagnosticsRequest;
import eu.chargetime.ocpp.model.firmware.UpdateFirmwareConfirmation;
import eu.chargetime.ocpp.model.firmware.UpdateFirmwareRequest;
import eu.chargetime.ocpp.model.localauthlist.GetLocalListVersionConfirmation;
import eu.chargetime.ocpp.model.localauthlist.GetLocalListVersionRequest;
import eu.chargetime.ocpp.model.localauthlist.SendLocalListConfirmation;
import eu.chargetime.ocpp.model.localauthlist.SendLocalListRequest;
import eu.chargetime.ocpp.model.localauthlist.UpdateStatus;
import eu.chargetime.ocpp.model.remotetrigger.TriggerMessageConfirmation;
import eu.chargetime.ocpp.model.remotetrigger.TriggerMessageRequest;
import eu.chargetime.ocpp.model.remotetrigger.TriggerMessageStatus;
import eu.chargetime.ocpp.model.reservation.CancelReservationConfirmation;
import eu.chargetime.ocpp.model.reservation.CancelReservationRequest;
import eu.chargetime.ocpp.model.reservation.CancelReservationStatus;
import eu.chargetime.ocpp.model.reservation.ReservationStatus;
import eu.chargetime.ocpp.model.reservation.ReserveNowConfirmation;
import eu.chargetime.ocpp.model.reservation.ReserveNowRequest;
import eu.chargetime.ocpp.model.smartcharging.ClearChargingProfileConfirmation;
import eu.chargetime.ocpp.model.smartcharging.ClearChargingProfileRequest;
import eu.chargetime.ocpp.model.smartcharging.ClearChargingProfileStatus;
import eu.chargetime.ocpp.model.smartcharging.GetCompositeScheduleConfirmation;
import eu.chargetime.ocpp.model.smartcharging.GetCompositeScheduleRequest;
import eu.chargetime.ocpp.model.smartcharging.GetCompositeScheduleStatus;
import eu.chargetime.ocpp.model.smartcharging.SetChargingProfileConfirmation;
import eu.chargetime.ocpp.model.smartcharging.SetChargingProfileRequest;
import eu.chargetime.ocpp.model.smartcharging.ChargingProfileStatus;

/**
 * A charge point built from an independent OCPP 1.6J implementation
 * (ChargeTimeEU Java-OCA-OCPP) with all six profiles. Every central-system
 * command is answered with a fixed confirmation (the constants below) and the
 * request is kept in {@link #received} by its action name; ChangeConfiguration
 * is answered by {@link #changeConfiguration}, RebootRequired unless a test
 * sets another answer.
 */
final class ChargeTimeCharger implements ClientCoreEventHandler, ClientFirmwareManagementEventHandler,
        ClientLocalAuthListEventHandler, ClientReservationEventHandler, ClientSmartChargingEventHandler,
        ClientRemoteTriggerEventHandler, AutoCloseable {

    static final ZonedDateTime SCHEDULE_START = ZonedDateTime.of(2030, 1, 2, 3, 4, 5, 0, ZoneOffset.UTC);

    final String chargePointId;
    final ClientCoreProfile core = new ClientCoreProfile(this);
    final JSONClient client;
    final Map<String, Request> received = new ConcurrentHashMap<>();
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    /** The answer to each ChangeConfiguration; set before the central system sends one. */
    volatile Function<ChangeConfigurationRequest, ConfigurationStatus> changeConfiguration =
            request -> ConfigurationStatus.RebootRequired;
    /** The answer to each SendLocalList, and the version GetLocalListVersion reports. */
    volatile Function<SendLocalListRequest, UpdateStatus> sendLocalList = request -> UpdateStatus.VersionMismatch;
    volatile int localListVersion = 17;

    private ChargeTimeCharger(String chargePointId) {
        this(chargePointId, JSONConfiguration.get());
    }

    private ChargeTimeCharger(String chargePointId, JSONConfiguration configuration) {
        this.chargePointId = chargePointId;
        client = new JSONClient(core, chargePointId, configuration);
        client.addFeatureProfile(new ClientFirmwareManagementProfile(this));
        client.addFeatureProfile(new ClientLocalAuthListProfile(this));
        client.addFeatureProfile(new ClientReservationProfile(this));
        client.addFeatureProfile(new ClientSmartChargingProfile(this));
        client.addFeatureProfile(new ClientRemoteTriggerProfile(this));
    }

    /** Connects to {@code ws://127.0.0.1:PORT/ocpp/ID}; waits for the opened event (connect() only logs failures). */
    static ChargeTimeCharger connect(CentralSystemHarness harness, String chargePointId) throws Exception {
        ChargeTimeCharger charger = new ChargeTimeCharger(chargePointId);
        ChargeTimeConnect.open(charger.client, "ws://127.0.0.1:" + harness.port() + "/ocpp", charger.closed);
        return charger;
    }

    /**
     * Connects to {@code baseUrl} (ws:// or wss://, without the id) as ChargeTimeEU's users do: HTTP Basic
     * through its USERNAME and PASSWORD parameters when {@code password} is given (user: the charge point
     * id), TLS through {@code enableWSS} with {@code tls} (trusted CAs, and a client key for profile 3).
     */
    static ChargeTimeCharger connect(String baseUrl, String chargePointId, String password, SSLContext tls)
            throws Exception {
        JSONConfiguration configuration = JSONConfiguration.get();
        if (password != null) {
            configuration.setParameter(JSONConfiguration.USERNAME_PARAMETER, chargePointId)
                    .setParameter(JSONConfiguration.PASSWORD_PARAMETER, password);
        }
        ChargeTimeCharger charger = new ChargeTimeCharger(chargePointId, configuration);
        if (tls != null) {
            charger.client.enableWSS(tls);
        }
        ChargeTimeConnect.open(charger.client, baseUrl, charger.closed);
        return charger;
    }

    /** Sends a charge-point-initiated request and waits for the central system's confirmation. */
    @SuppressWarnings("unchecked")
    <T extends Confirmation> T send(Request request) throws Exception {
        return (T) client.send(request).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @SuppressWarnings("unchecked")
    <T extends Request> T received(String action) {
        return (T) received.get(action);
    }

    private <T> T record(String action, Request request, T answer) {
        received.put(action, request);
        return answer;
    }

    @Override
    public void close() throws Exception {
        client.disconnect();
    }

    // ---- Core ---------------------------------------------------------------------------------

    @Override
    public ChangeAvailabilityConfirmation handleChangeAvailabilityRequest(ChangeAvailabilityRequest request) {
        return record("ChangeAvailability", request, new ChangeAvailabilityConfirmation(AvailabilityStatus.Scheduled));
    }

    @Override
    public GetConfigurationConfirmation handleGetConfigurationRequest(GetConfigurationRequest request) {
        GetConfigurationConfirmation answer = new GetConfigurationConfirmation();
        KeyValueType known = new KeyValueType("HeartbeatInterval", false);
        known.setValue("120");
        KeyValueType readonly = new KeyValueType("NumberOfConnectors", true);
        readonly.setValue("2");
        answer.setConfigurationKey(new KeyValueType[] {known, readonly});
        answer.setUnknownKey(new String[] {"NoSuchKey"});
        return record("GetConfiguration", request, answer);
    }

    @Override
    public ChangeConfigurationConfirmation handleChangeConfigurationRequest(ChangeConfigurationRequest request) {
        return record("ChangeConfiguration", request,
                new ChangeConfigurationConfirmation(changeConfiguration.apply(request)));
    }

    @Override
    public ClearCacheConfirmation handleClearCacheRequest(ClearCacheRequest request) {
        return record("ClearCache", request, new ClearCacheConfirmation(ClearCacheStatus.Rejected));
    }

    @Override
    public DataTransferConfirmation handleDataTransferRequest(DataTransferRequest request) {
        DataTransferConfirmation answer = new DataTransferConfirmation(DataTransferStatus.Accepted);
        answer.setData("charger says: " + request.getData());
        return record("DataTransfer", request, answer);
    }

    @Override
    public RemoteStartTransactionConfirmation handleRemoteStartTransactionRequest(
            RemoteStartTransactionRequest request) {
        return record("RemoteStartTransaction", request,
                new RemoteStartTransactionConfirmation(RemoteStartStopStatus.Rejected));
    }

    @Override
    public RemoteStopTransactionConfirmation handleRemoteStopTransactionRequest(RemoteStopTransactionRequest request) {
        return record("RemoteStopTransaction", request,
                new RemoteStopTransactionConfirmation(RemoteStartStopStatus.Accepted));
    }

    @Override
    public ResetConfirmation handleResetRequest(ResetRequest request) {
        return record("Reset", request, new ResetConfirmation(ResetStatus.Rejected));
    }

    @Override
    public UnlockConnectorConfirmation handleUnlockConnectorRequest(UnlockConnectorRequest request) {
        return record("UnlockConnector", request, new UnlockConnectorConfirmation(UnlockStatus.UnlockFailed));
    }

    // ---- Firmware Management ---------------------------------------------------------------

    @Override
    public GetDiagnosticsConfirmation handleGetDiagnosticsRequest(GetDiagnosticsRequest request) {
        GetDiagnosticsConfirmation answer = new GetDiagnosticsConfirmation();
        answer.setFileName("diagnostics-42.zip");
        return record("GetDiagnostics", request, answer);
    }

    @Override
    public UpdateFirmwareConfirmation handleUpdateFirmwareRequest(UpdateFirmwareRequest request) {
        return record("UpdateFirmware", request, new UpdateFirmwareConfirmation());
    }

    // ---- Local Auth List -------------------------------------------------------------------

    @Override
    public GetLocalListVersionConfirmation handleGetLocalListVersionRequest(GetLocalListVersionRequest request) {
        return record("GetLocalListVersion", request, new GetLocalListVersionConfirmation(localListVersion));
    }

    @Override
    public SendLocalListConfirmation handleSendLocalListRequest(SendLocalListRequest request) {
        return record("SendLocalList", request, new SendLocalListConfirmation(sendLocalList.apply(request)));
    }

    // ---- Reservation -----------------------------------------------------------------------

    @Override
    public ReserveNowConfirmation handleReserveNowRequest(ReserveNowRequest request) {
        return record("ReserveNow", request, new ReserveNowConfirmation(ReservationStatus.Occupied));
    }

    @Override
    public CancelReservationConfirmation handleCancelReservationRequest(CancelReservationRequest request) {
        return record("CancelReservation", request,
                new CancelReservationConfirmation(CancelReservationStatus.Rejected));
    }

    // ---- Smart Charging --------------------------------------------------------------------

    @Override
    public SetChargingProfileConfirmation handleSetChargingProfileRequest(SetChargingProfileRequest request) {
        return record("SetChargingProfile", request,
                new SetChargingProfileConfirmation(ChargingProfileStatus.NotSupported));
    }

    @Override
    public ClearChargingProfileConfirmation handleClearChargingProfileRequest(ClearChargingProfileRequest request) {
        return record("ClearChargingProfile", request,
                new ClearChargingProfileConfirmation(ClearChargingProfileStatus.Unknown));
    }

    @Override
    public GetCompositeScheduleConfirmation handleGetCompositeScheduleRequest(GetCompositeScheduleRequest request) {
        GetCompositeScheduleConfirmation answer = new GetCompositeScheduleConfirmation(GetCompositeScheduleStatus.Accepted);
        answer.setConnectorId(request.getConnectorId());
        answer.setScheduleStart(SCHEDULE_START);
        ChargingSchedulePeriod first = new ChargingSchedulePeriod(0, 16.0);
        first.setNumberPhases(1); // their constructor defaults numberPhases to 3
        ChargingSchedulePeriod second = new ChargingSchedulePeriod(1800, 10.5);
        second.setNumberPhases(3);
        ChargingSchedule schedule = new ChargingSchedule(ChargingRateUnitType.A,
                new ChargingSchedulePeriod[] {first, second});
        schedule.setDuration(3600);
        answer.setChargingSchedule(schedule);
        return record("GetCompositeSchedule", request, answer);
    }

    // ---- Remote Trigger --------------------------------------------------------------------

    @Override
    public TriggerMessageConfirmation handleTriggerMessageRequest(TriggerMessageRequest request) {
        return record("TriggerMessage", request, new TriggerMessageConfirmation(TriggerMessageStatus.NotImplemented));
    }
}
