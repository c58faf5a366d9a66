package org.chargeedge.ocpp.v16;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Every action of the six OCPP 1.6 edition 2 profiles this gateway speaks
 * (Core, Firmware Management, Local Auth List Management, Reservation, Smart
 * Charging, Remote Trigger), with who may initiate it and its payload types.
 */
public enum Action {
    // Core, initiated by the charge point
    Authorize(Profile.Core, Initiator.CHARGE_POINT, AuthorizeRequest.class, AuthorizeConfirmation.class),
    BootNotification(Profile.Core, Initiator.CHARGE_POINT, BootNotificationRequest.class, BootNotificationConfirmation.class),
    Heartbeat(Profile.Core, Initiator.CHARGE_POINT, HeartbeatRequest.class, HeartbeatConfirmation.class),
    MeterValues(Profile.Core, Initiator.CHARGE_POINT, MeterValuesRequest.class, MeterValuesConfirmation.class),
    StartTransaction(Profile.Core, Initiator.CHARGE_POINT, StartTransactionRequest.class, StartTransactionConfirmation.class),
    StatusNotification(Profile.Core, Initiator.CHARGE_POINT, StatusNotificationRequest.class, StatusNotificationConfirmation.class),
    StopTransaction(Profile.Core, Initiator.CHARGE_POINT, StopTransactionRequest.class, StopTransactionConfirmation.class),
    // Core, either side
    DataTransfer(Profile.Core, Initiator.EITHER, DataTransferRequest.class, DataTransferConfirmation.class),
    // Core, initiated by the central system
    ChangeAvailability(Profile.Core, Initiator.CENTRAL_SYSTEM, ChangeAvailabilityRequest.class, ChangeAvailabilityConfirmation.class),
    ChangeConfiguration(Profile.Core, Initiator.CENTRAL_SYSTEM, ChangeConfigurationRequest.class, ChangeConfigurationConfirmation.class),
    ClearCache(Profile.Core, Initiator.CENTRAL_SYSTEM, ClearCacheRequest.class, ClearCacheConfirmation.class),
    GetConfiguration(Profile.Core, Initiator.CENTRAL_SYSTEM, GetConfigurationRequest.class, GetConfigurationConfirmation.class),
    RemoteStartTransaction(Profile.Core, Initiator.CENTRAL_SYSTEM, RemoteStartTransactionRequest.class, RemoteStartTransactionConfirmation.class),
    RemoteStopTransaction(Profile.Core, Initiator.CENTRAL_SYSTEM, RemoteStopTransactionRequest.class, RemoteStopTransactionConfirmation.class),
    Reset(Profile.Core, Initiator.CENTRAL_SYSTEM, ResetRequest.class, ResetConfirmation.class),
    UnlockConnector(Profile.Core, Initiator.CENTRAL_SYSTEM, UnlockConnectorRequest.class, UnlockConnectorConfirmation.class),
    // Firmware Management
    DiagnosticsStatusNotification(Profile.FirmwareManagement, Initiator.CHARGE_POINT, DiagnosticsStatusNotificationRequest.class, DiagnosticsStatusNotificationConfirmation.class),
    FirmwareStatusNotification(Profile.FirmwareManagement, Initiator.CHARGE_POINT, FirmwareStatusNotificationRequest.class, FirmwareStatusNotificationConfirmation.class),
    GetDiagnostics(Profile.FirmwareManagement, Initiator.CENTRAL_SYSTEM, GetDiagnosticsRequest.class, GetDiagnosticsConfirmation.class),
    UpdateFirmware(Profile.FirmwareManagement, Initiator.CENTRAL_SYSTEM, UpdateFirmwareRequest.class, UpdateFirmwareConfirmation.class),
    // Local Auth List Management
    GetLocalListVersion(Profile.LocalAuthListManagement, Initiator.CENTRAL_SYSTEM, GetLocalListVersionRequest.class, GetLocalListVersionConfirmation.class),
    SendLocalList(Profile.LocalAuthListManagement, Initiator.CENTRAL_SYSTEM, SendLocalListRequest.class, SendLocalListConfirmation.class),
    // Reservation
    CancelReservation(Profile.Reservation, Initiator.CENTRAL_SYSTEM, CancelReservationRequest.class, CancelReservationConfirmation.class),
    ReserveNow(Profile.Reservation, Initiator.CENTRAL_SYSTEM, ReserveNowRequest.class, ReserveNowConfirmation.class),
    // Smart Charging
    ClearChargingProfile(Profile.SmartCharging, Initiator.CENTRAL_SYSTEM, ClearChargingProfileRequest.class, ClearChargingProfileConfirmation.class),
    GetCompositeSchedule(Profile.SmartCharging, Initiator.CENTRAL_SYSTEM, GetCompositeScheduleRequest.class, GetCompositeScheduleConfirmation.class),
    SetChargingProfile(Profile.SmartCharging, Initiator.CENTRAL_SYSTEM, SetChargingProfileRequest.class, SetChargingProfileConfirmation.class),
    // Remote Trigger
    TriggerMessage(Profile.RemoteTrigger, Initiator.CENTRAL_SYSTEM, TriggerMessageRequest.class, TriggerMessageConfirmation.class);

    /** The OCPP 1.6 feature profiles. */
    public enum Profile { Core, FirmwareManagement, LocalAuthListManagement, Reservation, SmartCharging, RemoteTrigger }

    /** Which side sends the CALL. */
    public enum Initiator {
        CHARGE_POINT, CENTRAL_SYSTEM, EITHER;

        public boolean chargePoint() { return this != CENTRAL_SYSTEM; }

        public boolean centralSystem() { return this != CHARGE_POINT; }
    }

    private static final Map<String, Action> BY_NAME =
            Stream.of(values()).collect(Collectors.toUnmodifiableMap(Action::name, Function.identity()));

    private final Profile profile;
    private final Initiator initiator;
    private final Class<? extends Request<?>> requestType;
    private final Class<? extends Confirmation> confirmationType;

    @SuppressWarnings({"unchecked", "rawtypes"})
    Action(Profile profile, Initiator initiator, Class<? extends Request> requestType,
           Class<? extends Confirmation> confirmationType) {
        this.profile = profile;
        this.initiator = initiator;
        this.requestType = (Class<? extends Request<?>>) requestType;
        this.confirmationType = confirmationType;
    }

    public Profile profile() { return profile; }

    public Initiator initiator() { return initiator; }

    public Class<? extends Request<?>> requestType() { return requestType; }

    public Class<? extends Confirmation> confirmationType() { return confirmationType; }

    /** The action with exactly this name (OCPP action names are case-sensitive). */
    public static Optional<Action> byName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }
}
