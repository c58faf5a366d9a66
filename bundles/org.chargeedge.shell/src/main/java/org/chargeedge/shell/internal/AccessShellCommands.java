package org.chargeedge.shell.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.chargeedge.api.charger.ChargerAccess;
import org.chargeedge.api.charger.ChargerAccess.KnownCharger;
import org.chargeedge.api.charger.ChargerAccess.Refusal;
import org.chargeedge.api.charger.ChargerAccess.WaitingCharger;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo commands for commissioning chargers: who waits to be accepted, who is
 * known at which security profile, why connections were refused, and the
 * changes (accept, forget, profile, password, commissioning window). Each
 * prints what {@link ChargerAccess} answers, its refusals included, as they are.
 */
@Component(service = AccessShellCommands.class, property = {
        "osgi.command.scope=chargeedge",
        "osgi.command.function=access",
        "osgi.command.function=waiting",
        "osgi.command.function=refusals",
        "osgi.command.function=accept",
        "osgi.command.function=forget",
        "osgi.command.function=profile",
        "osgi.command.function=setkey",
        "osgi.command.function=pushkey",
        "osgi.command.function=hashkey",
        "osgi.command.function=commission"})
public class AccessShellCommands {

    private final ChargerAccess access;

    @Activate
    public AccessShellCommands(@Reference ChargerAccess access) {
        this.access = access;
    }

    @Descriptor("show who may connect: the site's profile, known chargers, waiting ones and recent refusals")
    public String access() {
        StringBuilder out = new StringBuilder();
        out.append("Unknown chargers  ").append(access.openToUnknownChargers() ? "accepted (unknownChargers = Open)"
                : access.commissioningUntil().map(t -> "accepted until " + time(t) + " (commissioning window)")
                .orElse("refused and listed as waiting")).append('\n');
        out.append("Site profile      ").append(access.siteSecurityProfile()).append('\n');
        List<KnownCharger> known = access.knownChargers();
        out.append("Known chargers    ").append(known.size()).append('\n');
        for (KnownCharger k : known) {
            out.append(String.format("  %-24s profile %d%s, password %s%s%n", k.chargePointId(), k.securityProfile(),
                    k.siteDefaultProfile() ? " (site)" : "", k.authorizationKeySet() ? "set" : "none",
                    k.configured() ? ", from the configuration"
                            : k.acceptedAt() == null ? "" : ", accepted " + time(k.acceptedAt())));
        }
        return out.append(waiting()).append(refusals()).toString();
    }

    @Descriptor("list unknown chargers that tried to connect and wait to be accepted")
    public String waiting() {
        List<WaitingCharger> waiting = access.waitingChargers();
        if (waiting.isEmpty()) {
            return "No charger waits to be accepted\n";
        }
        StringBuilder out = new StringBuilder("Waiting to be accepted (chargeedge:accept ID)\n");
        for (WaitingCharger w : waiting) {
            out.append(String.format("  %-24s from %s, %d attempts, first %s, last %s%n", w.chargePointId(),
                    w.remoteAddress(), w.attempts(), time(w.firstSeen()), time(w.lastSeen())));
        }
        return out.toString();
    }

    @Descriptor("list recent refused connections with their reason")
    public String refusals() {
        List<Refusal> refusals = access.recentRefusals();
        if (refusals.isEmpty()) {
            return "No refused connection\n";
        }
        StringBuilder out = new StringBuilder("Refused connections (newest last)\n");
        for (Refusal r : refusals) {
            out.append(String.format("  %-24s from %s, %d times, last %s: %s%n",
                    r.chargePointId() == null ? "(no id)" : r.chargePointId(), r.remoteAddress(), r.count(),
                    time(r.lastAt()), r.reason()));
        }
        return out.toString();
    }

    @Descriptor("accept a charger (usually one waiting) at the site's profile")
    public String accept(@Descriptor("charge point id") String chargePointId) {
        return change(() -> "Accepted " + line(access.accept(chargePointId)));
    }

    @Descriptor("forget an accepted charger: its next connection is refused")
    public String forget(@Descriptor("charge point id") String chargePointId) {
        return change(() -> access.forget(chargePointId) ? "Forgot " + chargePointId
                : chargePointId + " was not accepted from the shell; nothing changed");
    }

    @Descriptor("set a charger's security profile (0..3), or 'default' for the site's")
    public String profile(@Descriptor("charge point id") String chargePointId,
                          @Descriptor("0, 1, 2, 3 or default") String profile) {
        return change(() -> {
            Integer p = "default".equalsIgnoreCase(profile) ? null : parseProfile(profile);
            return "Profile set: " + line(access.setSecurityProfile(chargePointId, p));
        });
    }

    @Descriptor("set a charger's password (AuthorizationKey, 16 to 40 characters), as configured on the charger")
    public String setkey(@Descriptor("charge point id") String chargePointId,
                         @Descriptor("AuthorizationKey") String key) {
        return change(() -> "Password set: " + line(access.setAuthorizationKey(chargePointId, key)));
    }

    @Descriptor("generate a password, send it to the connected charger (ChangeConfiguration AuthorizationKey)"
            + " and switch it to profile 1 or 2")
    public String pushkey(@Descriptor("charge point id") String chargePointId,
                          @Descriptor("1 or 2") int profile) {
        return change(() -> {
            Object result = ChargerShellCommands.await(access.provisionAuthorizationKey(chargePointId, profile));
            return result instanceof KnownCharger k ? "Password sent and accepted: " + line(k) : result.toString();
        });
    }

    @Descriptor("print the bcrypt hash of an AuthorizationKey for chargerKeyHashes in the configuration")
    public String hashkey(@Descriptor("AuthorizationKey") String key) {
        return change(() -> access.hashAuthorizationKey(key));
    }

    @Descriptor("open the commissioning window for some minutes (unknown chargers that connect are accepted),"
            + " or 'off' to close it")
    public String commission(@Descriptor("minutes, or off") String minutes) {
        return change(() -> {
            if ("off".equalsIgnoreCase(minutes)) {
                access.closeCommissioning();
                return "Commissioning window closed";
            }
            long m;
            try {
                m = Long.parseLong(minutes);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("give the window's length in minutes, or off");
            }
            return "Commissioning window open until " + time(access.openCommissioning(Duration.ofMinutes(m)))
                    + ": every charger that connects meanwhile is accepted";
        });
    }

    private static int parseProfile(String profile) {
        try {
            return Integer.parseInt(profile);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a security profile is 0, 1, 2, 3 or default");
        }
    }

    /** Runs a change; an IllegalArgumentException is the service's answer to the operator. */
    private static String change(java.util.function.Supplier<String> action) {
        try {
            return action.get();
        } catch (IllegalArgumentException e) {
            return "Refused: " + e.getMessage();
        }
    }

    private static String line(KnownCharger k) {
        return k.chargePointId() + ", profile " + k.securityProfile() + (k.siteDefaultProfile() ? " (site)" : "")
                + ", password " + (k.authorizationKeySet() ? "set" : "none");
    }

    private static String time(Instant instant) {
        return ChargerShellCommands.time(instant);
    }
}
