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
 * @param watts the surplus, W (0 when unknown)
 * @param unknown why it is unknown, for reasons; null when known
 */
record Surplus(double watts, String unknown) {

    static Surplus of(Measurements m, double controlledW, BatteryPolicy policy) {
        Reading battery = m.batteryPowerW();
        if (battery.freshness() == Reading.Freshness.STALE
                || battery.freshness() == Reading.Freshness.AGE_UNKNOWN) {
            return new Surplus(0, "PV surplus unknown (battery meter " + battery.describe() + "): counted as none");
        }
        double batteryW = battery.usable() ? battery.value() : 0;
        if (m.gridPowerW().usable()) {
            return new Surplus(controlledW - m.gridPowerW().value() + policy.surplusShareW(batteryW), null);
        }
        if (m.pvPowerW().usable() && m.buildingPowerW().usable()) {
            double kept = Math.max(0, batteryW) - policy.surplusShareW(Math.max(0, batteryW));
            return new Surplus(m.pvPowerW().value() - m.buildingPowerW().value() - kept, null);
        }
        return new Surplus(0, String.format(Locale.ROOT, "PV surplus unknown (grid meter %s): counted as none",
                m.gridPowerW().describe()));
    }
}
