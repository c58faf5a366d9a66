package org.chargeedge.ocpp.v16;

import java.util.List;
import org.chargeedge.ocpp.v16.Spec.Min;
import org.chargeedge.ocpp.v16.Spec.NonEmpty;
import org.chargeedge.ocpp.v16.Spec.Optional;

/** MeterValues.req: the CALL payload of {@link Action#MeterValues}. */
public record MeterValuesRequest(
        @Min(0) int connectorId,
        @Optional Integer transactionId,
        @NonEmpty List<MeterValue> meterValue) implements Request<MeterValuesConfirmation> {
    public MeterValuesRequest {
        meterValue = Lists.copy(meterValue);
    }

    @Override
    public Action action() {
        return Action.MeterValues;
    }
}
