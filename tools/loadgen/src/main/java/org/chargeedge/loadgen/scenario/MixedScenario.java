package org.chargeedge.loadgen.scenario;

/** BootNotification once, then Heartbeat and MeterValues (no transaction) alternated. */
final class MixedScenario implements Scenario {

    @Override
    public String name() {
        return "mixed";
    }

    @Override
    public String description() {
        return "BootNotification once, then Heartbeat and MeterValues (no transaction) alternated";
    }

    @Override
    public ChargerScript newCharger(ChargerContext ctx) {
        Meter meter = new Meter(ctx.index());
        return new BootFirstScript(ctx) {
            private boolean heartbeatNext = true;

            @Override
            protected Call nextAfterBoot() {
                boolean hb = heartbeatNext;
                heartbeatNext = !heartbeatNext;
                return hb ? Payloads.heartbeat() : Payloads.meterValues(1, null, meter);
            }
        };
    }
}
