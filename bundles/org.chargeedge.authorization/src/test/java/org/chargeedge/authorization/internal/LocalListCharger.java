package org.chargeedge.authorization.internal;

import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.chargeedge.centralsystem.internal.ChargeTimeConnect;

import eu.chargetime.ocpp.JSONClient;
import eu.chargetime.ocpp.feature.profile.ClientCoreEventHandler;
import eu.chargetime.ocpp.feature.profile.ClientCoreProfile;
import eu.chargetime.ocpp.feature.profile.ClientLocalAuthListEventHandler;
import eu.chargetime.ocpp.feature.profile.ClientLocalAuthListProfile;
import eu.chargetime.ocpp.model.Confirmation;
import eu.chargetime.ocpp.model.Request;
import eu.chargetime.ocpp.model.core.IdTagInfo;
import eu.chargetime.ocpp.model.localauthlist.AuthorizationData;
import eu.chargetime.ocpp.model.localauthlist.GetLocalListVersionConfirmation;
import eu.chargetime.ocpp.model.localauthlist.GetLocalListVersionRequest;
import eu.chargetime.ocpp.model.localauthlist.SendLocalListConfirmation;
import eu.chargetime.ocpp.model.localauthlist.SendLocalListRequest;
import eu.chargetime.ocpp.model.localauthlist.UpdateStatus;
import eu.chargetime.ocpp.model.localauthlist.UpdateType;

/**
 * A charge point built on ChargeTimeEU's independent OCPP 1.6J implementation
 * with the Core and Local Auth List Management profiles. It keeps the list a
 * central system sends it.
 */
final class LocalListCharger implements ClientLocalAuthListEventHandler, AutoCloseable {

    /** Refuses every central-system command of the Core profile: these tests send none. */
    private static final ClientCoreEventHandler NO_CORE_COMMANDS = (ClientCoreEventHandler) Proxy.newProxyInstance(
            ClientCoreEventHandler.class.getClassLoader(), new Class<?>[] {ClientCoreEventHandler.class},
            (proxy, method, args) -> {
                throw new UnsupportedOperationException(method.getName());
            });

    final ClientCoreProfile core = new ClientCoreProfile(NO_CORE_COMMANDS);
    final JSONClient client;

    // Written by the library's receiving thread, read by the test thread.
    private volatile int listVersion;
    private volatile Map<String, IdTagInfo> list = Map.of();
    private volatile UpdateType lastUpdateType;

    private LocalListCharger(String chargePointId) {
        client = new JSONClient(core, chargePointId);
        client.addFeatureProfile(new ClientLocalAuthListProfile(this));
    }

    /** Connects to the central system's {@code ws://.../ocpp/ID}; waits for the opened event. */
    static LocalListCharger connect(String baseUrl, String chargePointId) throws Exception {
        LocalListCharger charger = new LocalListCharger(chargePointId);
        ChargeTimeConnect.open(charger.client, baseUrl, null);
        return charger;
    }

    @SuppressWarnings("unchecked")
    <T extends Confirmation> T send(Request request) throws Exception {
        return (T) client.send(request).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    int listVersion() {
        return listVersion;
    }

    Map<String, IdTagInfo> list() {
        return list;
    }

    UpdateType lastUpdateType() {
        return lastUpdateType;
    }

    @Override
    public void close() {
        client.disconnect();
    }

    @Override
    public SendLocalListConfirmation handleSendLocalListRequest(SendLocalListRequest request) {
        Map<String, IdTagInfo> next = new LinkedHashMap<>();
        if (request.getLocalAuthorizationList() != null) {
            Arrays.stream(request.getLocalAuthorizationList())
                    .forEach((AuthorizationData d) -> next.put(d.getIdTag(), d.getIdTagInfo()));
        }
        lastUpdateType = request.getUpdateType();
        list = next;
        listVersion = request.getListVersion();
        return new SendLocalListConfirmation(UpdateStatus.Accepted);
    }

    @Override
    public GetLocalListVersionConfirmation handleGetLocalListVersionRequest(GetLocalListVersionRequest request) {
        return new GetLocalListVersionConfirmation(listVersion);
    }
}
