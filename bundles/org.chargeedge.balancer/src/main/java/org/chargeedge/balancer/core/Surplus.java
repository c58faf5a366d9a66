package org.chargeedge.balancer.core;

import java.util.Locale;

import org.chargeedge.balancer.core.SiteSnapshot.Measurements;

/**
 * The PV surplus that PV and Min+PV sessions may share, from the site's meters and the battery policy. Pure.
 *
 * <p>With a fresh grid power reading: the export plus what those sessions already draw, plus what the battery
 * policy gives up of the battery's charging, minus any discharge. Without one: PV production minus the building
 * load minus the battery's charging the policy keeps for it (discharge is not added: PV minus the building is all
 * the sun gives). The two agree when the meters balance. A battery that exists but whose reading is stale or of
 * unknown age makes the surplus unknown: it may be discharging into the cars. Unknown surplus is none.
 *
 * <p>Under battery-first with the battery's maximum charging power configured, the battery's spare charging power
 * ({@link BatteryPolicy#spareW}) is taken off as well, in both cases, while its power and state of charge are fresh.
 * Without a fresh state of charge the battery could be full and tapering: nothing is held back, and the note says
 * why, so that a status shows the battery-first rule working on what the battery charges now only.
 *
 * @param watts the surplus, W (0 when unknown)
 * @param unknown why it is unknown, for reasons; null when known
 * @param spareW the battery's spare charging power taken off, W
 * @param note what the battery's spare charging power did to the surplus, for reasons; null when nothing is to be
 *        said (no maximum configured, ev-first, or the battery full)
 */
record Surplus(double watts, String unknown, double spareW, String note) {

    static Surplus of(Measurements m, double controlledW, BatteryPolicy policy) {
        Reading battery = m.batteryPowerW();
        if (battery.freshness() == Reading.Freshness.STALE
                || battery.freshness() == Reading.Freshness.AGE_UNKNOWN) {
            return new Surplus(0, "PV surplus unknown (battery meter " + battery.describe() + "): counted as none",
                    0, null);
        }
        double batteryW = battery.usable() ? battery.value() : 0;
        double spareW = 0;
        String note = null;
        if (policy.holdsSpare()) {
            Reading soc = m.batterySocPercent();
            if (!battery.usable() || !soc.usable()) {
                note = String.format(Locale.ROOT, "battery %s %s: only what it charges now is kept for it",
                        battery.usable() ? "state of charge" : "power", (battery.usable() ? soc : battery).describe());
            } else {
                spareW = policy.spareW(batteryW, soc.value());
                if (spareW > 0) {
                    note = String.format(Locale.ROOT, "%.1f kW held back for the battery at %.0f %%, charging %.1f "
                            + "of %.1f kW", spareW / 1000, soc.value(), batteryW / 1000,
                            Math.min(policy.reserveW(), policy.maxChargeW().getAsDouble()) / 1000);
                }
            }
        }
        if (m.gridPowerW().usable()) {
            return new Surplus(controlledW - m.gridPowerW().value() + policy.surplusShareW(batteryW) - spareW, null,
                    spareW, note);
        }
        if (m.pvPowerW().usable() && m.buildingPowerW().usable()) {
            double kept = Math.max(0, batteryW) - policy.surplusShareW(Math.max(0, batteryW));
            return new Surplus(m.pvPowerW().value() - m.buildingPowerW().value() - kept - spareW, null, spareW,
                    note);
        }
        return new Surplus(0, String.format(Locale.ROOT, "PV surplus unknown (grid meter %s): counted as none",
                m.gridPowerW().describe()), 0, null);
    }
}
