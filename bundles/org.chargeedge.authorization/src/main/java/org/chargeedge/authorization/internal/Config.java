package org.chargeedge.authorization.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The 1.6 charge point keys the gateway applies as a local controller, plus the
 * site's policy. Documented, with examples, in docs/configuration.md; keep both in step.
 */
@ObjectClassDefinition(
        id = LocalAuthorization.PID,
        name = "ChargeEdge local authorization",
        description = "Local Authorization List, Authorization Cache and the idTag decision")
@interface Config {

    @AttributeDefinition(description = "LocalAuthListEnabled: use the local list; when false SendLocalList "
            + "answers NotSupported and the list is not consulted")
    boolean localAuthListEnabled() default true;

    @AttributeDefinition(description = "LocalAuthListMaxLength: most entries the list may hold; "
            + "an update that would exceed it fails and changes nothing", min = "1")
    int maxListLength() default 10000;

    @AttributeDefinition(description = "AuthorizationCacheEnabled: consult and feed the authorization cache")
    boolean authorizationCacheEnabled() default true;

    @AttributeDefinition(description = "Seconds a cache entry stays usable after it was stored", min = "1")
    long cacheLifetime() default 604800;

    @AttributeDefinition(description = "Most entries the cache holds; the oldest go first", min = "1")
    int cacheMaxEntries() default 10000;

    @AttributeDefinition(description = "LocalAuthorizeOffline: while the central system cannot be asked, "
            + "accept idTags the list or cache accept")
    boolean localAuthorizeOffline() default true;

    @AttributeDefinition(description = "LocalPreAuthorize: while the central system can be asked, accept idTags "
            + "the list or cache accept without waiting for it")
    boolean localPreAuthorize() default false;

    @AttributeDefinition(description = "AllowOfflineTxForUnknownId: while the central system cannot be asked, "
            + "accept idTags neither the list nor the cache knows")
    boolean allowOfflineTxForUnknownId() default false;

    @AttributeDefinition(description = "Answer for idTags neither the list nor the cache knows: Invalid, or "
            + "Accepted for a free-charging site")
    UnknownIdTagStatus unknownIdTagStatus() default UnknownIdTagStatus.Invalid;

    @AttributeDefinition(description = "Let one idTag run transactions on several connectors at once; "
            + "when false a second start is answered ConcurrentTx")
    boolean allowConcurrentTransactions() default false;
}
