package org.chargeedge.loadgen.scenario;

import java.util.Map;

/**
 * BootNotification, StatusNotification (Preparing) and StartTransaction once, then MeterValues of the
 * transaction the central system opened (its transactionId) over and over.
 */
final class MeterScenario implements Scenario {

    @Override
    public String name() {
        return "meter";
    }

    @Override
    public String description() {
        return "BootNotification, StatusNotification, StartTransaction once, then MeterValues of that transaction";
    }

    @Override
    public ChargerScript newCharger(ChargerContext ctx) {
        Meter meter = new Meter(ctx.index());
        return new BootFirstScript(ctx) {
            private int step;
            private Long transactionId;

            @Override
            protected Call nextAfterBoot() {
                switch (step) {
                    case 0:
                        step++;
                        return Payloads.statusNotification(1, "Preparing");
                    case 1:
                        step++;
                        return Payloads.startTransaction(1, ctx.idTag(), meter);
                    default:
                        if (transactionId == null) { // StartTransaction failed: try again
                            return Payloads.startTransaction(1, ctx.idTag(), meter);
                        }
                        return Payloads.meterValues(1, transactionId, meter);
                }
            }

            @Override
            protected void onOtherResult(Call call, Map<String, Object> payload) {
                if (Payloads.START_TRANSACTION.equals(call.action())) {
                    transactionId = Payloads.checkStartTransactionResult(payload, ctx.feedback());
                }
            }
        };
    }
}
