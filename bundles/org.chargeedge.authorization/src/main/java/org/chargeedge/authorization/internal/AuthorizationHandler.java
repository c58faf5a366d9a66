package org.chargeedge.authorization.internal;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.chargeedge.api.charger.CallContext;
import org.chargeedge.api.charger.ChargerCallHandler;
import org.chargeedge.api.charger.SiteView;
import org.chargeedge.api.charger.TransactionInfo;
import org.chargeedge.authorization.internal.AuthorizationDecision.Decision;
import org.chargeedge.ocpp.v16.AuthorizationStatus;
import org.chargeedge.ocpp.v16.AuthorizeConfirmation;
import org.chargeedge.ocpp.v16.AuthorizeRequest;
import org.chargeedge.ocpp.v16.Confirmation;
import org.chargeedge.ocpp.v16.Request;
import org.chargeedge.ocpp.v16.StartTransactionConfirmation;
import org.chargeedge.ocpp.v16.StartTransactionRequest;
import org.chargeedge.ocpp.v16.StopTransactionConfirmation;
import org.chargeedge.ocpp.v16.StopTransactionRequest;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives chargers the local decision: answers Authorize itself; lets
 * StartTransaction and StopTransaction go down the chain (the central system
 * issues the transaction id) and puts the local decision into the
 * confirmation, so the built-in authorization policy never reaches a charger.
 *
 * <p>The gateway's own decisions are not cached: they would only echo the
 * list (which 1.6 keeps out of the cache), a cache hit (which would then
 * never expire) or the unknown-idTag policy (which would then outlive a
 * change of that policy). The cache is fed with the central system's answers
 * by the upstream link, which receives them.
 */
@Component(service = ChargerCallHandler.class, property = {
        ChargerCallHandler.ACTIONS + "=Authorize",
        ChargerCallHandler.ACTIONS + "=StartTransaction",
        ChargerCallHandler.ACTIONS + "=StopTransaction",
        ChargerCallHandler.SITE_PART + "=authorization",
        "service.ranking:Integer=500"})
public class AuthorizationHandler implements ChargerCallHandler {

    private static final Logger LOG = LoggerFactory.getLogger(AuthorizationHandler.class);

    private final LocalAuthorization authorization;
    private final SiteView site;

    @Activate
    public AuthorizationHandler(@Reference LocalAuthorization authorization, @Reference SiteView site) {
        this.authorization = authorization;
        this.site = site;
    }

    @Override
    public CompletionStage<Confirmation> handle(CallContext context, Request<?> request, Chain chain) {
        return switch (request.action()) {
            case Authorize -> {
                String idTag = ((AuthorizeRequest) request).idTag();
                Decision decision = decide(context, LocalAuthorization.NO_CONNECTOR, idTag, false);
                yield CompletableFuture.completedFuture(new AuthorizeConfirmation(decision.idTagInfo()));
            }
            case StartTransaction -> {
                StartTransactionRequest start = (StartTransactionRequest) request;
                Decision decision = decide(context, start.connectorId(), start.idTag(), true);
                yield chain.proceed(request).thenApply(c -> new StartTransactionConfirmation(
                        decision.idTagInfo(), ((StartTransactionConfirmation) c).transactionId()));
            }
            case StopTransaction -> stop(context, (StopTransactionRequest) request, chain);
            default -> chain.proceed(request);
        };
    }

    private CompletionStage<Confirmation> stop(CallContext context, StopTransactionRequest stop, Chain chain) {
        String idTag = stop.idTag();
        if (idTag == null) {
            return chain.proceed(stop);
        }
        Decision decision = decide(context, LocalAuthorization.NO_CONNECTOR, idTag, false);
        Optional<TransactionInfo> tx = site.charger(context.chargePointId())
                .flatMap(c -> c.transaction(stop.transactionId()));
        if (tx.isPresent() && !authorization.mayStop(idTag, tx.get().idTag())) {
            // OCPP leaves this to the charger, which has already stopped: accept, but leave a trace.
            LOG.warn("{}: idTag {} stopped transaction {} started by {}, outside its parentIdTag group",
                    context.chargePointId(), idTag, stop.transactionId(), tx.get().idTag());
        }
        return chain.proceed(stop)
                .thenApply(c -> new StopTransactionConfirmation(decision.idTagInfo()));
    }

    private Decision decide(CallContext context, int connectorId, String idTag, boolean starting) {
        Decision decision = authorization.decide(context.chargePointId(), connectorId, idTag, starting);
        if (decision.status() == AuthorizationStatus.Accepted) {
            LOG.debug("{}: idTag {} Accepted ({})", context.chargePointId(), idTag, decision.source());
        } else {
            LOG.info("{}: idTag {} {} ({})", context.chargePointId(), idTag, decision.status(), decision.source());
        }
        return decision;
    }
}
