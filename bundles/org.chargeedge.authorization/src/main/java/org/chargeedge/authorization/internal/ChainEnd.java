package org.chargeedge.authorization.internal;

import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import org.chargeedge.api.charger.CallContext;
import org.chargeedge.api.charger.ChargerCallHandler;
import org.chargeedge.ocpp.v16.Confirmation;
import org.chargeedge.ocpp.v16.Request;
import org.osgi.service.component.annotations.Component;

/**
 * The last handler of the StartTransaction and StopTransaction chains: notes
 * that a call reached the central system's built-in answers, so that
 * {@link AuthorizationHandler} does not cache the built-in authorization
 * policy's idTagInfo as if an authority had given it.
 */
@Component(service = {ChargerCallHandler.class, ChainEnd.class}, property = {
        ChargerCallHandler.ACTIONS + "=StartTransaction",
        ChargerCallHandler.ACTIONS + "=StopTransaction",
        "service.ranking:Integer=" + Integer.MIN_VALUE})
public class ChainEnd implements ChargerCallHandler {

    /**
     * Calls now passing through to the built-in answers. Written here and
     * removed by the AuthorizationHandler of the same call, possibly on another
     * thread (a handler in between may complete on its own thread), so it is
     * concurrent; an entry lives only as long as its call.
     */
    private final Set<CallContext> reached = ConcurrentHashMap.newKeySet();

    @Override
    public CompletionStage<Confirmation> handle(CallContext context, Request<?> request, Chain chain) {
        reached.add(context);
        return chain.proceed(request);
    }

    /** Whether the call reached the built-in answers; forgets it either way. */
    boolean reachedBuiltIn(CallContext context) {
        return reached.remove(context);
    }

    @Override
    public String toString() {
        return "authorization chain end";
    }
}
