package org.chargeedge.api.authorization;

import java.util.List;
import java.util.Optional;

import org.chargeedge.ocpp.v16.AuthorizationData;
import org.chargeedge.ocpp.v16.SendLocalListRequest;
import org.chargeedge.ocpp.v16.UpdateStatus;
import org.osgi.annotation.versioning.ProviderType;

/** The gateway's Local Authorization List, with SendLocalList semantics. */
@ProviderType
public interface LocalAuthorizationList {

    /** The list version; 0 when the list is empty and was never set. */
    int version();

    List<AuthorizationData> entries();

    Optional<AuthorizationData> entry(String idTag);

    /**
     * Applies a full or differential update as a charge point applies
     * SendLocalList: Accepted, Failed (entries invalid or over the maximum
     * length: nothing changed), VersionMismatch (a differential update whose
     * version is not higher than the current one: nothing changed).
     */
    UpdateStatus update(SendLocalListRequest request);
}
