package org.chargeedge.upstream.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.chargeedge.centralsystem.internal.ChargeTimeConnect;

import eu.chargetime.ocpp.JSONClient;
import eu.chargetime.ocpp.feature.profile.ClientLocalAuthListEventHandler;
import eu.chargetime.ocpp.feature.profile.ClientSmartChargingEventHandler;
import eu.chargetime.ocpp.feature.profile.ClientSmartChargingProfile;
import eu.chargetime.ocpp.model.smartcharging.ChargingProfileStatus;
import eu.chargetime.ocpp.model.smartcharging.ClearChargingProfileConfirmation;
import eu.chargetime.ocpp.model.smartcharging.ClearChargingProfileRequest;
import eu.chargetime.ocpp.model.smartcharging.ClearChargingProfileStatus;
import eu.chargetime.ocpp.model.smartcharging.GetCompositeScheduleConfirmation;
import eu.chargetime.ocpp.model.smartcharging.GetCompositeScheduleRequest;
import eu.chargetime.ocpp.model.smartcharging.GetCompositeScheduleStatus;
import eu.chargetime.ocpp.model.smartcharging.SetChargingProfileConfirmation;
import eu.chargetime.ocpp.model.smartcharging.SetChargingProfileRequest;
import eu.chargetime.ocpp.feature.profile.ClientLocalAuthListProfile;
import eu.chargetime.ocpp.model.localauthlist.GetLocalListVersionConfirmation;
import eu.chargetime.ocpp.model.localauthlist.GetLocalListVersionRequest;
import eu.chargetime.ocpp.model.localauthlist.SendLocalListConfirmation;
import eu.chargetime.ocpp.model.localauthlist.SendLocalListRequest;
import eu.chargetime.ocpp.model.localauthlist.UpdateStatus;
import eu.chargetime.ocpp.feature.profile.ClientCoreEventHandler;
import eu.chargetime.ocpp.feature.profile.ClientCoreProfile;
import eu.chargetime.ocpp.model.Confirmation;
import eu.chargetime.ocpp.model.Request;
import eu.chargetime.ocpp.model.core.AvailabilityStatus;
import eu.chargetime.ocpp.model.core.ChangeAvailabilityConfirmation;
import eu.chargetime.ocpp.model.core.ChangeAvailabilityRequest;
import eu.chargetime.ocpp.model.core.ChangeConfigurationConfirmation;
import eu.chargetime.ocpp.model.core.ChangeConfigurationRequest;
import eu.chargetime.ocpp.model.core.ClearCacheConfirmation;
import eu.chargetime.ocpp.model.core.ClearCacheRequest;
import eu.chargetime.ocpp.model.core.ClearCacheStatus;
import eu.chargetime.ocpp.model.core.ConfigurationStatus;
import eu.chargetime.ocpp.model.core.DataTransferConfirmation;
import eu.chargetime.ocpp.model.core.DataTransferRequest;
import eu.chargetime.ocpp.model.core.DataTransferStatus;
import eu.chargetime.ocpp.model.core.GetConfigurationConfirmation;
import eu.chargetime.ocpp.model.core.GetConfigurationRequest;
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

/**
 * An independent charge point (ChargeTimeEU JSONClient, Core, local list and smart-charging profiles) connected to
 * the gateway.
 * Keeps the central-system calls it receives, in order.
 */
final class TestCharger implements ClientCoreEventHandler, AutoCloseable {

    final ClientCoreProfile core = new ClientCoreProfile(this);
    final JSONClient client;
    final List<Request> received = new CopyOnWriteArrayList<>();

    private TestCharger(String chargePointId) {
        client = new JSONClient(core, chargePointId);
        client.addFeatureProfile(new ClientLocalAuthListProfile(new ClientLocalAuthListEventHandler() {
            @Override
            public GetLocalListVersionConfirmation handleGetLocalListVersionRequest(GetLocalListVersionRequest r) {
                return record(r, new GetLocalListVersionConfirmation(0));
            }

            @Override
            public SendLocalListConfirmation handleSendLocalListRequest(SendLocalListRequest r) {
                return record(r, new SendLocalListConfirmation(UpdateStatus.Accepted));
            }
        }));
        // Answers every smart-charging call, so a call that reaches it shows (the gateway answers them itself).
        client.addFeatureProfile(new ClientSmartChargingProfile(new ClientSmartChargingEventHandler() {
            @Override
            public SetChargingProfileConfirmation handleSetChargingProfileRequest(SetChargingProfileRequest r) {
                return record(r, new SetChargingProfileConfirmation(ChargingProfileStatus.Accepted));
            }

            @Override
            public ClearChargingProfileConfirmation handleClearChargingProfileRequest(ClearChargingProfileRequest r) {
                return record(r, new ClearChargingProfileConfirmation(ClearChargingProfileStatus.Accepted));
            }

            @Override
            public GetCompositeScheduleConfirmation handleGetCompositeScheduleRequest(GetCompositeScheduleRequest r) {
                return record(r, new GetCompositeScheduleConfirmation(GetCompositeScheduleStatus.Rejected));
            }
        }));
    }

    /** Connects to the gateway at {@code ws://127.0.0.1:PORT/ocpp/ID}; waits until open. */
    static TestCharger connect(int port, String chargePointId) throws Exception {
        TestCharger charger = new TestCharger(chargePointId);
        ChargeTimeConnect.open(charger.client, "ws://127.0.0.1:" + port + "/ocpp", null);
        return charger;
    }

    @SuppressWarnings("unchecked")
    <T extends Confirmation> T send(Request request) throws Exception {
        return (T) client.send(request).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @SuppressWarnings("unchecked")
    <T extends Request> List<T> received(Class<T> type) {
        return received.stream().filter(type::isInstance).map(r -> (T) r).toList();
    }

    @Override
    public void close() {
        client.disconnect();
    }

    private <T> T record(Request request, T answer) {
        received.add(request);
        return answer;
    }

    @Override
    public ChangeAvailabilityConfirmation handleChangeAvailabilityRequest(ChangeAvailabilityRequest request) {
        return record(request, new ChangeAvailabilityConfirmation(AvailabilityStatus.Accepted));
    }

    @Override
    public GetConfigurationConfirmation handleGetConfigurationRequest(GetConfigurationRequest request) {
        return record(request, new GetConfigurationConfirmation());
    }

    @Override
    public ChangeConfigurationConfirmation handleChangeConfigurationRequest(ChangeConfigurationRequest request) {
        return record(request, new ChangeConfigurationConfirmation(ConfigurationStatus.Accepted));
    }

    @Override
    public ClearCacheConfirmation handleClearCacheRequest(ClearCacheRequest request) {
        return record(request, new ClearCacheConfirmation(ClearCacheStatus.Accepted));
    }

    @Override
    public DataTransferConfirmation handleDataTransferRequest(DataTransferRequest request) {
        return record(request, new DataTransferConfirmation(DataTransferStatus.Accepted));
    }

    @Override
    public RemoteStartTransactionConfirmation handleRemoteStartTransactionRequest(RemoteStartTransactionRequest request) {
        return record(request, new RemoteStartTransactionConfirmation(RemoteStartStopStatus.Accepted));
    }

    @Override
    public RemoteStopTransactionConfirmation handleRemoteStopTransactionRequest(RemoteStopTransactionRequest request) {
        return record(request, new RemoteStopTransactionConfirmation(RemoteStartStopStatus.Accepted));
    }

    @Override
    public ResetConfirmation handleResetRequest(ResetRequest request) {
        return record(request, new ResetConfirmation(ResetStatus.Accepted));
    }

    @Override
    public UnlockConnectorConfirmation handleUnlockConnectorRequest(UnlockConnectorRequest request) {
        return record(request, new UnlockConnectorConfirmation(UnlockStatus.Unlocked));
    }
}
