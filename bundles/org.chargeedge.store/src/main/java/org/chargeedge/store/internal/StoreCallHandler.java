package org.chargeedge.store.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

import org.chargeedge.api.charger.CallContext;
import org.chargeedge.api.charger.CallRejectedException;
import org.chargeedge.api.charger.ChargerCallHandler;
import org.chargeedge.api.charger.PartStoppingException;
import org.chargeedge.api.store.SiteStore;
import org.chargeedge.ocpp.rpc.ErrorCode;
import org.chargeedge.ocpp.v16.BootNotificationRequest;
import org.chargeedge.ocpp.v16.Confirmation;
import org.chargeedge.ocpp.v16.MeterValuesRequest;
import org.chargeedge.ocpp.v16.Request;
import org.chargeedge.ocpp.v16.StartTransactionConfirmation;
import org.chargeedge.ocpp.v16.StartTransactionRequest;
import org.chargeedge.ocpp.v16.StatusNotificationRequest;
import org.chargeedge.ocpp.v16.StopTransactionRequest;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the answer to a charger's transaction messages wait for the store: a charger only gets its
 * CALLRESULT for StartTransaction, MeterValues and StopTransaction once the data is committed and
 * synced, and so is their journal entry for the upstream CSMS (same commit). When the store cannot
 * keep it, the charger gets CALLERROR InternalError and sends the
 * message again later, as OCPP has it do for unanswered transaction messages.
 *
 * <p>Ranked first (1000) so that it wraps every other handler: StartTransaction is stored after
 * the rest of the chain has issued the transaction id; MeterValues and StopTransaction are stored
 * before the rest of the chain sees them. BootNotification and StatusNotification are stored
 * without waiting: they are not billing data, a charger must be able to boot while the store is
 * failing, and their next arrival replaces them anyway. Runs on whatever thread completes a stage.
 */
@Component(service = ChargerCallHandler.class, property = {
        ChargerCallHandler.ACTIONS + "=BootNotification",
        ChargerCallHandler.ACTIONS + "=StatusNotification",
        ChargerCallHandler.ACTIONS + "=StartTransaction",
        ChargerCallHandler.ACTIONS + "=MeterValues",
        ChargerCallHandler.ACTIONS + "=StopTransaction",
        ChargerCallHandler.SITE_PART + "=store",
        Constants.SERVICE_RANKING + ":Integer=" + StoreCallHandler.RANKING})
public class StoreCallHandler implements ChargerCallHandler {

    static final int RANKING = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(StoreCallHandler.class);

    private final SiteStore store;
    /** Set when the component deactivates (the store is going away); read by whatever thread completes a write. */
    private volatile boolean stopping;

    @Activate
    public StoreCallHandler(@Reference SiteStore store) {
        this.store = store;
    }

    @Deactivate
    void deactivate() {
        stopping = true;
    }

    @Override
    public CompletionStage<Confirmation> handle(CallContext context, Request<?> request, Chain chain) {
        String id = context.chargePointId();
        return switch (request.action()) {
            case StartTransaction -> chain.proceed(request).thenCompose(answer -> {
                if (!(answer instanceof StartTransactionConfirmation conf)) {
                    return CompletableFuture.completedFuture(answer);
                }
                // A StartTransaction sent again keeps the id it got first: the charger must get that one.
                return stored(store.transactionStarted(id, conf.transactionId(), (StartTransactionRequest) request,
                        conf.idTagInfo(), context.receivedAt()), context, request).thenApply(recorded ->
                        recorded == conf.transactionId() ? answer
                                : new StartTransactionConfirmation(conf.idTagInfo(), recorded));
            });
            case MeterValues -> stored(store.meterValues(id, (MeterValuesRequest) request, context.receivedAt()),
                    context, request).thenCompose(v -> chain.proceed(request));
            case StopTransaction -> stored(store.transactionStopped(id, (StopTransactionRequest) request,
                    context.receivedAt()), context, request).thenCompose(v -> chain.proceed(request));
            case BootNotification -> {
                inBackground(store.chargerBooted(id, (BootNotificationRequest) request, context.receivedAt()),
                        context, request);
                yield chain.proceed(request);
            }
            case StatusNotification -> {
                inBackground(store.connectorStatus(id, (StatusNotificationRequest) request, context.receivedAt()),
                        context, request);
                yield chain.proceed(request);
            }
            default -> chain.proceed(request);
        };
    }

    /** The write's stage, with a failure turned into the CALLERROR the charger must get. */
    private <T> CompletionStage<T> stored(CompletionStage<T> write, CallContext context, Request<?> request) {
        return write.handle((v, e) -> {
            if (e == null) {
                return CompletableFuture.completedFuture(v);
            }
            if (stopping) {
                // The store is being stopped or updated: nothing of the call was kept, and the central
                // system runs it again once a store is back (a resend the store would recognise anyway).
                return CompletableFuture.<T>failedFuture(new PartStoppingException("store", "the store stopped"
                        + " while " + request.action() + " " + context.messageId() + " was being written", e));
            }
            // The store logs its failures once per change of state; one line per refused call would flood.
            LOG.debug("{}: {} {} not stored: {}", context.chargePointId(), request.action(), context.messageId(),
                    e.toString());
            return CompletableFuture.<T>failedFuture(new CallRejectedException(ErrorCode.InternalError,
                    "The gateway cannot store the " + request.action() + " now; send it again later"));
        }).thenCompose(Function.identity());
    }

    private static void inBackground(CompletionStage<Void> write, CallContext context, Request<?> request) {
        write.whenComplete((v, e) -> {
            if (e != null) {
                LOG.debug("{}: {} not stored: {}", context.chargePointId(), request.action(), e.toString());
            }
        });
    }
}
