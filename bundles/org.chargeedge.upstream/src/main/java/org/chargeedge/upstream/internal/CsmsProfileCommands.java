package org.chargeedge.upstream.internal;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.stream.Collectors;

import org.chargeedge.api.store.CsmsChargingProfile;
import org.chargeedge.ocpp.v16.ChargingProfile;

/** Gogo command (scope chargeedge) {@code csmsprofiles [CHARGER]}: the CSMS's profiles the gateway keeps. Holds no state. */
public final class CsmsProfileCommands {

    private final CsmsProfiles profiles;

    CsmsProfileCommands(CsmsProfiles profiles) {
        this.profiles = profiles;
    }

    /** Every charger's profiles. */
    public String csmsprofiles() {
        List<String> chargers = profiles.chargers();
        if (chargers.isEmpty()) {
            return "no charging profiles of the CSMS kept\n";
        }
        return chargers.stream().map(this::csmsprofiles).collect(Collectors.joining("\n"));
    }

    /** One charger's profiles, highest stack level first, and the CSMS's limit of its connectors now. */
    public String csmsprofiles(String chargePointId) {
        List<CsmsChargingProfile> kept = profiles.profiles(chargePointId);
        if (kept.isEmpty()) {
            return chargePointId + ": no charging profiles of the CSMS kept\n";
        }
        StringBuilder out = new StringBuilder(chargePointId).append(String.format(Locale.ROOT,
                "%n%6s %4s %-22s %5s %-9s %-4s %-22s %s%n", "ID", "CONN", "PURPOSE", "LEVEL", "KIND", "UNIT",
                "VALID TO", "PERIODS (s: limit)"));
        for (CsmsChargingProfile p : kept) {
            ChargingProfile c = p.profile();
            String periods = c.chargingSchedule().chargingSchedulePeriod().stream()
                    .map(s -> s.startPeriod() + ": " + s.limit()).collect(Collectors.joining(", "));
            String purpose = c.chargingProfilePurpose() + (c.transactionId() == null ? "" : " tx " + c.transactionId());
            out.append(String.format(Locale.ROOT, "%6d %4d %-22s %5d %-9s %-4s %-22s %s%n", p.profileId(),
                    p.connectorId(), purpose, c.stackLevel(), c.chargingProfileKind(),
                    c.chargingSchedule().chargingRateUnit(), c.validTo() == null ? "-" : c.validTo(), periods));
        }
        Instant now = Instant.now();
        kept.stream().mapToInt(CsmsChargingProfile::connectorId).filter(c -> c > 0).distinct().sorted()
                .forEach(connector -> {
                    OptionalDouble limit = profiles.limitA(chargePointId, connector, now, 3);
                    out.append(String.format(Locale.ROOT, "connector %d now: %s%n", connector,
                            limit.isPresent() ? limit.getAsDouble() + " A per phase (3 phases)" : "no CSMS limit"));
                });
        return out.toString();
    }
}
