package org.chargeedge.loadgen.scenario;

import java.util.Map;

/**
 * Base for scripts that send a BootNotification once and then their own calls. It checks the boot
 * answer (status Accepted, interval present) and hands everything else to the subclass.
 */
public abstract class BootFirstScript implements ChargerScript {

    protected final ChargerContext ctx;
    private boolean booted;

    protected BootFirstScript(ChargerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public final Call next() {
        if (!booted) {
            booted = true;
            return Payloads.bootNotification(ctx);
        }
        return nextAfterBoot();
    }

    /** The next call once the BootNotification was sent. */
    protected abstract Call nextAfterBoot();

    @Override
    public final void onResult(Call call, Map<String, Object> payload) {
        if (Payloads.BOOT_NOTIFICATION.equals(call.action())) {
            Object status = payload.get("status");
            if (!(status instanceof String) || !(payload.get("interval") instanceof Long)
                    || payload.get("currentTime") == null) {
                ctx.feedback().error("invalid-result:BootNotification");
            } else if (!"Accepted".equals(status)) {
                ctx.feedback().warning("BootNotification:" + status);
            }
            return;
        }
        onOtherResult(call, payload);
    }

    /** Results of calls other than the BootNotification. */
    protected void onOtherResult(Call call, Map<String, Object> payload) {
    }
}
