package org.chargeedge.upstream.internal;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import org.chargeedge.api.charger.ChargerCallException;
import org.chargeedge.ocpp.rpc.ErrorCode;
import org.chargeedge.ocpp.rpc.OcppEndpoint;
import org.chargeedge.ocpp.rpc.OcppValidationException;
import org.chargeedge.ocpp.rpc.RpcFrame;
import org.chargeedge.ocpp.v16.Action;
import org.chargeedge.ocpp.v16.Request;
import org.chargeedge.ocpp.v16.ClearChargingProfileRequest;
import org.chargeedge.ocpp.v16.GetCompositeScheduleRequest;
import org.chargeedge.ocpp.v16.SendLocalListRequest;
import org.chargeedge.ocpp.v16.SetChargingProfileRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The CSMS's calls to one charger: decoded and validated, their transaction ids mapped to the
 * gateway's, passed to the charger through {@code ChargerCommands} (which serialises them with the
 * gateway's own calls to it), and the charger's answer returned as the frame the CSMS gets.
 * SetChargingProfile, ClearChargingProfile and GetCompositeSchedule are answered by
 * {@link CsmsProfiles} in the charger's place and never reach it. The
 * endpoint of the upstream connection calls {@link #answer} one CALL at a time. Holds no state.
 */
final class CsmsCalls implements OcppEndpoint.CallHandler {

    private static final Logger LOG = LoggerFactory.getLogger(CsmsCalls.class);

    private final String chargePointId;
    private final Services services;

    CsmsCalls(String chargePointId, Services services) {
        this.chargePointId = chargePointId;
        this.services = services;
    }

    @Override
    public CompletionStage<String> answer(RpcFrame.Call call, Instant receivedAt) {
        String id = call.messageId();
        Optional<Action> found = Action.byName(call.action());
        if (found.isEmpty()) {
            return error(id, ErrorCode.NotImplemented, "Unknown action '" + call.action() + "'");
        }
        Action action = found.get();
        if (!action.initiator().centralSystem()) {
            return error(id, ErrorCode.NotSupported, action + " is sent by charge points, not to them");
        }
        JsonNode payload = call.payload();
        if (payload instanceof ObjectNode object) {
            Optional<String> unmapped = toGatewayIds(action, object = object.deepCopy());
            if (unmapped.isPresent()) {
                // The charger never saw this CSMS id: nothing of it can be meant.
                LOG.warn("{}: {} from the CSMS names {}; answered Rejected", chargePointId, action, unmapped.get());
                return CompletableFuture.completedFuture(Payloads.callResult(id,
                        Payloads.MAPPER.createObjectNode().put("status", "Rejected")));
            }
            payload = object;
        }
        Request<?> request;
        try {
            request = Payloads.codec().decodeRequest(action, payload);
        } catch (OcppValidationException e) {
            LOG.warn("{}: invalid {} from the CSMS ({}): {}", chargePointId, action, e.errorCode(), e.getMessage());
            return error(id, e.errorCode(), e.getMessage());
        }
        // The gateway is the only master of its chargers' profiles: these are answered here, never passed on.
        if (request instanceof SetChargingProfileRequest set) {
            return services.profiles().set(chargePointId, id, set);
        }
        if (request instanceof ClearChargingProfileRequest clear) {
            return services.profiles().clear(chargePointId, id, clear);
        }
        if (request instanceof GetCompositeScheduleRequest composite) {
            return services.profiles().composite(chargePointId, id, composite);
        }
        if (request instanceof SendLocalListRequest list) {
            services.localList().ifPresent(l -> LOG.info("{}: SendLocalList version {} from the CSMS applied to the"
                    + " gateway's list: {}", chargePointId, list.listVersion(), l.update(list)));
        }
        return services.commands().call(chargePointId, request).handle((confirmation, failure) -> {
            if (failure == null) {
                return Payloads.codec().encodeCallResult(id, confirmation);
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            String description;
            ErrorCode code = ErrorCode.GenericError;
            if (cause instanceof ChargerCallException c) {
                description = switch (c.reason()) {
                    case NOT_CONNECTED -> "charge point " + chargePointId + " is not connected to the site gateway";
                    case TIMEOUT -> "charge point " + chargePointId + " did not answer in time";
                    case CALL_ERROR -> c.getMessage();
                    default -> "charge point " + chargePointId + ": " + c.reason() + " " + c.getMessage();
                };
                if (c.reason() == ChargerCallException.Reason.CALL_ERROR) {
                    code = c.errorCode().flatMap(ErrorCode::byName).orElse(ErrorCode.GenericError);
                } else if (c.reason() == ChargerCallException.Reason.INVALID_CONFIRMATION) {
                    code = ErrorCode.InternalError;
                }
            } else {
                code = ErrorCode.InternalError;
                description = "the site gateway failed to pass on " + action;
                LOG.error("{}: passing {} from the CSMS failed", chargePointId, action, cause);
            }
            return Payloads.codec().encodeCallError(id, code, description);
        });
    }

    private static CompletionStage<String> error(String id, ErrorCode code, String description) {
        return CompletableFuture.completedFuture(Payloads.codec().encodeCallError(id, code, description));
    }

    /** Rewrites the CSMS's transaction ids to the gateway's; the first unknown one, if any. */
    private Optional<String> toGatewayIds(Action action, ObjectNode payload) {
        ObjectNode holder = switch (action) {
            case RemoteStopTransaction -> payload;
            case SetChargingProfile -> payload.get("csChargingProfiles") instanceof ObjectNode p ? p : null;
            case RemoteStartTransaction -> payload.get("chargingProfile") instanceof ObjectNode p ? p : null;
            default -> null;
        };
        if (holder == null || !holder.path("transactionId").isInt()) {
            return Optional.empty();
        }
        int csmsId = holder.get("transactionId").intValue();
        OptionalInt gatewayId = services.ids().gatewayId(chargePointId, csmsId);
        if (gatewayId.isEmpty()) {
            return Optional.of("transaction " + csmsId + ", which it never started here");
        }
        holder.put("transactionId", gatewayId.getAsInt());
        return Optional.empty();
    }
}
