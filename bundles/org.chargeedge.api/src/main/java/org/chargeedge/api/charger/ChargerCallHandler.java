package org.chargeedge.api.charger;

import java.util.concurrent.CompletionStage;

import org.chargeedge.ocpp.v16.Confirmation;
import org.chargeedge.ocpp.v16.Request;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard service that takes part in answering CALLs from chargers.
 *
 * <p>Handlers registered for an action form a chain ordered by
 * {@code service.ranking} (highest first); the gateway's built-in handling
 * ends every chain. A handler may answer itself, delegate to the rest of the
 * chain with {@link Chain#proceed}, or do both (observe or adapt the answer).
 * It must not block: slow work (disk, network) completes the returned stage
 * later, from any thread. The CALLs of one charger reach a chain one at a time,
 * in the order the charger sent them; different chargers run concurrently.
 *
 * <p>To refuse a call, complete exceptionally with a
 * {@link CallRejectedException}; any other failure is answered with
 * InternalError and logged.
 */
@ConsumerType
public interface ChargerCallHandler {

    /**
     * Service property: the action names (e.g. {@code "DataTransfer"}) the
     * handler takes part in. Required; a handler without it is ignored.
     */
    String ACTIONS = "chargeedge.ocpp.actions";

    /**
     * Service property: the name (a String, e.g. {@code "store"}) of the site
     * part this handler is. The central system can be configured to require
     * parts by name: until a handler of every required part is registered,
     * the chargers' calls wait instead of being answered by the handlers that
     * happen to be there (see {@link SiteView#readiness()}). Optional; a
     * handler without it is no site part.
     *
     * @since 1.2
     */
    String SITE_PART = "chargeedge.site.part";

    CompletionStage<Confirmation> handle(CallContext context, Request<?> request, Chain chain);

    /** The rest of the chain after this handler. */
    @FunctionalInterface
    interface Chain {
        CompletionStage<Confirmation> proceed(Request<?> request);
    }
}
