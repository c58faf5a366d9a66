package org.chargeedge.ocpp.v16;

import java.util.List;
import org.chargeedge.ocpp.v16.Spec.Optional;

/** SendLocalList.req: the CALL payload of {@link Action#SendLocalList}. */
public record SendLocalListRequest(
        int listVersion,
        @Optional List<AuthorizationData> localAuthorizationList,
        UpdateType updateType) implements Request<SendLocalListConfirmation> {
    public SendLocalListRequest {
        localAuthorizationList = Lists.copy(localAuthorizationList);
    }

    @Override
    public Action action() {
        return Action.SendLocalList;
    }
}
