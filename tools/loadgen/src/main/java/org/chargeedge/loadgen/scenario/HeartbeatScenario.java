package org.chargeedge.loadgen.scenario;

import java.util.Map;

/** BootNotification once, then Heartbeat over and over. */
final class HeartbeatScenario implements Scenario {

    @Override
    public String name() {
        return "heartbeat";
    }

    @Override
    public String description() {
        return "BootNotification once, then Heartbeat";
    }

    @Override
    public ChargerScript newCharger(ChargerContext ctx) {
        return new BootFirstScript(ctx) {
            @Override
            protected Call nextAfterBoot() {
                return Payloads.heartbeat();
            }

            @Override
            protected void onOtherResult(Call call, Map<String, Object> payload) {
                if (!(payload.get("currentTime") instanceof String)) {
                    ctx.feedback().error("invalid-result:Heartbeat");
                }
            }
        };
    }
}
