package org.chargeedge.http.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import org.chargeedge.api.charger.ChargerCallException;
import org.chargeedge.ocpp.rpc.OcppJsonCodec;
import org.chargeedge.ocpp.v16.Confirmation;
import org.chargeedge.ocpp.v16.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * One OCPP call to a charger on behalf of an HTTP request, through
 * {@code ChargerCommands} as the shell sends it: the request waits without a
 * thread (asynchronous servlet) and is answered with the charger's
 * confirmation as OCPP-J encodes it, or with the call's failure and its
 * reason.
 */
final class ChargerCall {

    private static final Logger LOG = LoggerFactory.getLogger(ChargerCall.class);
    /** Longer than any sensible call timeout of the central system, which answers first. */
    static final Duration WAIT = Duration.ofSeconds(120);

    private ChargerCall() {
    }

    static void send(SiteServices site, OcppJsonCodec codec, HttpServletRequest request, HttpServletResponse response,
                     String chargePointId, Request<?> ocppRequest) throws Json.ApiException {
        String action = ocppRequest.action().name();
        CompletionStage<? extends Confirmation> stage;
        try {
            stage = site.commands().call(chargePointId, ocppRequest);
        } catch (IllegalArgumentException e) {
            throw new Json.ApiException(400, e.getMessage());
        } catch (ChargerCallException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        Principal who = (Principal) request.getAttribute(Principal.ATTRIBUTE);
        LOG.info("{} sends {} to {} through the HTTP API", who == null ? "?" : who.name(), action, chargePointId);
        respond(request, response, chargePointId, action, stage,
                confirmation -> Json.MAPPER.readTree(codec.encodeCallResult("api", (Confirmation) confirmation)).get(2));
    }

    /** What a finished stage's value is answered with. */
    interface Body {
        Object of(Object value) throws IOException;
    }

    /**
     * Answers the request once {@code stage} completes, without holding a thread meanwhile: 200 with
     * {@code body} of its value, or the failure's status (see {@link #failed}).
     */
    static void respond(HttpServletRequest request, HttpServletResponse response, String chargePointId,
                        String action, CompletionStage<?> stage, Body body) {
        AsyncContext async = request.startAsync();
        async.setTimeout(WAIT.toMillis());
        stage.whenComplete((value, failure) -> {
            try {
                if (failure == null) {
                    Json.write(response, 200, body.of(value));
                } else {
                    failed(response, chargePointId, action, failure);
                }
            } catch (IOException | RuntimeException e) {
                LOG.debug("Could not answer the HTTP request for {} to {}", action, chargePointId, e);
            } finally {
                async.complete();
            }
        });
    }

    static void failed(HttpServletResponse response, String chargePointId, String action, Throwable failure)
            throws IOException {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
                : failure;
        if (cause instanceof IllegalArgumentException) {
            // the service refused what it was asked in this state (the charger refused a key, is not connected, ...)
            Json.error(response, 409, cause.getMessage());
            return;
        }
        if (!(cause instanceof ChargerCallException e)) {
            Json.error(response, 500, action + " to " + chargePointId + " failed: " + cause);
            return;
        }
        int status = switch (e.reason()) {
            case NOT_CONNECTED -> 409;
            case QUEUE_FULL, SHUTDOWN -> 503;
            case TIMEOUT -> 504;
            case CALL_ERROR, INVALID_CONFIRMATION, CONNECTION_LOST -> 502;
        };
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("error", e.getMessage());
        body.put("status", status);
        body.put("reason", e.reason().name());
        e.errorCode().ifPresent(code -> body.put("errorCode", code));
        Json.write(response, status, body);
    }
}
