package org.chargeedge.balancer.internal;

import org.chargeedge.balancer.core.BatteryPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Documented, with examples, in docs/configuration.md; keep both in step. */
@ObjectClassDefinition(id = BalancerComponent.PID, name = "ChargeEdge load balancing",
        description = "Keeps the chargers within the grid connection and the circuits, with SetChargingProfile")
@interface BalancerConfig {

    @AttributeDefinition(description = "Balance the chargers; false sends no charging profile at all")
    boolean enabled() default true;

    @AttributeDefinition(description = "The grid connection's fuse per phase, A (environment: CHARGEEDGE_GRID_LIMIT_A). "
            + "0: not set, the conservative default of " + SiteSettings.DEFAULT_GRID_LIMIT_A + " A is used and announced",
            min = "0")
    double gridLimitA() default 0;

    @AttributeDefinition(description = "An optional limit on the total import, kW; 0 for none", min = "0")
    double gridTotalKw() default 0;

    @AttributeDefinition(description = "Safe budget: the worst-case load of everything but the chargers, A per phase, "
            + "assumed whenever the grid meter is unknown, stale or of unknown age", min = "0")
    double safeBudgetA() default SiteSettings.DEFAULT_SAFE_BUDGET_A;

    @AttributeDefinition(description = "Sub-distribution boards: NAME:LIMIT_A or NAME:LIMIT_A:PARENT, comma-separated, "
            + "e.g. garage:63, row-a:32:garage")
    String circuits() default "";

    @AttributeDefinition(description = "The board each charger hangs from: CHARGER=CIRCUIT, comma-separated; "
            + "chargers not named hang from the grid connection")
    String chargerCircuits() default "";

    @AttributeDefinition(description = "Phase rotation per charger: CHARGER=L2L3L1 (its L1 on the site's L2, ...), "
            + "comma-separated; default L1L2L3")
    String phaseRotation() default "";

    @AttributeDefinition(description = "1-phase chargers: CHARGER=1, comma-separated (wired on their L1); default 3")
    String chargerPhases() default "";

    @AttributeDefinition(description = "The most a charger delivers per phase, A: CHARGER=16, comma-separated")
    String chargerMaxA() default "";

    @AttributeDefinition(description = "The most a charger not named in chargerMaxA delivers per phase, A", min = "6")
    double defaultChargerMaxA() default 32;

    @AttributeDefinition(description = "Mode of a new session: Fast, PV, MinPV or Off")
    String defaultMode() default "Fast";

    @AttributeDefinition(description = "Default mode per charger: CHARGER=PV, comma-separated")
    String chargerModes() default "";

    @AttributeDefinition(description = "Priority per charger, higher first: CHARGER=10, comma-separated; default 0")
    String priorities() default "";

    @AttributeDefinition(description = "How long a charger may draw above its limit before it is counted as not "
            + "following it, seconds", min = "1")
    int reactionTimeSeconds() default 30;

    @AttributeDefinition(description = "The longest reaction time a slow charger is given once it has been measured "
            + "following its falls more slowly than reactionTimeSeconds, seconds", min = "1")
    int reactionTimeMaxSeconds() default 90;

    @AttributeDefinition(description = "A session the balancer switched on keeps at least 6 A this long, unless the "
            + "site's safety needs it off, seconds", min = "0")
    int minOnSeconds() default 300;

    @AttributeDefinition(description = "A session the balancer paused stays paused at least this long, seconds; "
            + "chargers and cars take badly to quick stop and start cycles", min = "0")
    int minOffSeconds() default 120;

    @AttributeDefinition(description = "How long a TxProfile is valid (validTo); renewed when a fifth of it "
            + "(at least 30 s, at most half) is left, seconds", min = "60")
    int profileValiditySeconds() default 300;

    @AttributeDefinition(description = "Shortest time between two runs of the allocation, milliseconds", min = "10")
    int minIntervalMillis() default 100;

    @AttributeDefinition(description = "Ramp up: the most a limit rises per step, A", min = "1")
    double rampUpStepA() default 4;

    @AttributeDefinition(description = "Ramp up: a limit rises no sooner than this after it last changed (either way), seconds",
            min = "0")
    int rampUpIntervalSeconds() default 10;

    @AttributeDefinition(description = "A rise smaller than this waits three ramp intervals after the last change (falls are always sent at once), A", min = "0")
    double minChangeA() default 1;

    @AttributeDefinition(description = "Connectors the safe budget is shared over in the TxDefaultProfile each charger "
            + "keeps for when the gateway is gone; 0: the connectors seen", min = "0")
    int siteConnectors() default 0;

    @AttributeDefinition(description = "A charger's measured current older than this is not used, seconds", min = "10")
    int drawMaxAgeSeconds() default 120;

    @AttributeDefinition(description = "Phase-to-neutral voltage, V, to turn amps into watts", min = "100")
    double voltage() default 230;

    @AttributeDefinition(description = "Time-of-use prices per kWh for Scheduled sessions: DAYS HH:MM-HH:MM=PRICE, "
            + "comma-separated (Mon-Fri 22:00-06:00=0.12, Sat-Sun 0-24=0.15); empty: one price")
    String tariffWindows() default "";

    @AttributeDefinition(description = "Price per kWh outside every tariff window", min = "0")
    double tariffDefaultPrice() default 0;

    @AttributeDefinition(description = "Time zone of the tariff windows (e.g. Europe/Berlin); empty: the system's")
    String tariffTimeZone() default "";

    @AttributeDefinition(description = "Priority classes by idTag: IDTAG_OR_PARENTIDTAG=GROUP, comma-separated "
            + "(FLEET-PARENT=fleet, 04A2B3C4=premium); a session's group is its idTag's, else its parentIdTag's "
            + "(from the local authorization list or cache)")
    String idTagGroups() default "";

    @AttributeDefinition(description = "Priority per idTag group, higher first: GROUP=PRIORITY, comma-separated "
            + "(fleet=10, premium=5); a session's priority is the higher of its charger's and its group's")
    String groupPriority() default "";

    @AttributeDefinition(description = "How a house battery shares PV surplus: battery-first (the battery keeps its "
            + "charging power up to batteryReserveW) or ev-first (all of its charging power counts as surplus for "
            + "cars); discharge is never surplus")
    String batteryPolicy() default "battery-first";

    @AttributeDefinition(description = "battery-first: the battery's charging power kept for it, W; only charging "
            + "above it counts as surplus for cars. Empty: all of it")
    String batteryReserveW() default "";

    @AttributeDefinition(description = "battery-first: the battery's maximum charging power, W. With it and a fresh "
            + "battery state of charge below batteryFullSocPercent, the charging power the battery could still take "
            + "(up to batteryReserveW) is held back from PV and MinPV sessions, so cars yield to the battery when it "
            + "charges less than it can. Empty: unknown, only what the battery charges now is kept for it")
    String batteryMaxChargeW() default "";

    @AttributeDefinition(description = "battery-first with batteryMaxChargeW: the state of charge, %, from which the "
            + "battery counts as full and nothing is held back for it (a battery tapers its charging as it fills); "
            + "set it to where your battery's charging power starts to fall", min = "1", max = "100")
    double batteryFullSocPercent() default BatteryPolicy.DEFAULT_FULL_SOC_PERCENT;

    @AttributeDefinition(description = "Switch PV and MinPV sessions between 3 phases and 1 on chargers that say "
            + "they can (ConnectorSwitch3to1PhaseSupported)")
    boolean phaseSwitching() default true;

    @AttributeDefinition(description = "Phase switching: the surplus energy below 3 x 6 A (or above it plus the "
            + "margin, to go back) that must accumulate before a switch, Wh", min = "0")
    double phaseSwitchWh() default 100;

    @AttributeDefinition(description = "Phase switching: the least time between two switches of a session, seconds",
            min = "0")
    int phaseSwitchHoldSeconds() default 300;

    @AttributeDefinition(description = "Phase switching: what the surplus must exceed 3 x 6 A by to count towards "
            + "going back to 3 phases, W", min = "0")
    double phaseSwitchMarginW() default 690;

    @AttributeDefinition(description = "The MeterValueSampleInterval asked of a charger whose own is 0 (no samples) "
            + "or longer, so that its draw is measured; 0 leaves chargers' intervals alone, seconds", min = "0")
    int meterValueSampleIntervalSeconds() default 10;

    @AttributeDefinition(description = "Add Current.Import to a charger's MeterValuesSampledData when it lacks it "
            + "(its other measurands are kept), so that the draw per phase is measured")
    boolean addCurrentToMeterValues() default true;
}
