package org.chargeedge.loadgen.scenario;

import java.util.Map;

/**
 * BootNotification once, then loops of StartTransaction, N MeterValues (--meter-values-per-tx) and
 * StopTransaction: many short transactions, for durability benchmarks.
 */
final class TransactionsScenario implements Scenario {

    @Override
    public String name() {
        return "transactions";
    }

    @Override
    public String description() {
        return "BootNotification once, then loops of StartTransaction, N MeterValues, StopTransaction";
    }

    @Override
    public ChargerScript newCharger(ChargerContext ctx) {
        Meter meter = new Meter(ctx.index());
        int perTx = ctx.meterValuesPerTransaction();
        return new BootFirstScript(ctx) {
            private Long transactionId;
            private boolean started;
            private int metersSent;

            @Override
            protected Call nextAfterBoot() {
                if (!started || transactionId == null) {
                    started = true;
                    transactionId = null;
                    metersSent = 0;
                    return Payloads.startTransaction(1, ctx.idTag(), meter);
                }
                if (metersSent < perTx) {
                    metersSent++;
                    return Payloads.meterValues(1, transactionId, meter);
                }
                Call stop = Payloads.stopTransaction(transactionId, ctx.idTag(), meter);
                started = false;
                return stop;
            }

            @Override
            protected void onOtherResult(Call call, Map<String, Object> payload) {
                if (Payloads.START_TRANSACTION.equals(call.action())) {
                    transactionId = Payloads.checkStartTransactionResult(payload, ctx.feedback());
                } else if (Payloads.STOP_TRANSACTION.equals(call.action())) {
                    Object info = payload.get("idTagInfo");
                    if (info != null && !(info instanceof Map)) {
                        ctx.feedback().error("invalid-result:StopTransaction");
                    }
                }
            }
        };
    }
}
