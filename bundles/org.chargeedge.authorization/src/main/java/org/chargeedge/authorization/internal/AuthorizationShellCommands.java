package org.chargeedge.authorization.internal;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.felix.service.command.Descriptor;
import org.chargeedge.api.charger.ChargerCommands;
import org.chargeedge.api.charger.ChargerInfo;
import org.chargeedge.api.charger.SiteView;
import org.chargeedge.authorization.internal.ListSnapshot.Result;
import org.chargeedge.ocpp.v16.AuthorizationData;
import org.chargeedge.ocpp.v16.AuthorizationStatus;
import org.chargeedge.ocpp.v16.IdTagInfo;
import org.chargeedge.ocpp.v16.SendLocalListRequest;
import org.chargeedge.ocpp.v16.UpdateStatus;
import org.chargeedge.ocpp.v16.UpdateType;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo commands to see and edit the local authorization list and cache, and
 * to send the list to chargers. Every edit is a differential update to the
 * next version, so chargers and the file import can tell newer lists apart.
 */
@Component(service = AuthorizationShellCommands.class, property = {
        "osgi.command.scope=chargeedge",
        "osgi.command.function=authlist",
        "osgi.command.function=authset",
        "osgi.command.function=authremove",
        "osgi.command.function=authpush",
        "osgi.command.function=authcache",
        "osgi.command.function=authclearcache"})
public class AuthorizationShellCommands {

    /** Seconds to wait for a charger's answer: longer than any sensible call timeout of the central system. */
    private static final int PUSH_WAIT_SECONDS = 120;

    private final LocalAuthorization authorization;
    private final ChargerCommands commands;
    private final SiteView site;

    @Activate
    public AuthorizationShellCommands(@Reference LocalAuthorization authorization,
                                      @Reference ChargerCommands commands, @Reference SiteView site) {
        this.authorization = authorization;
        this.commands = commands;
        this.site = site;
    }

    @Descriptor("show the local authorization list")
    public String authlist() {
        ListSnapshot list = authorization.list();
        StringBuilder out = new StringBuilder("Local authorization list version " + list.version() + ", "
                + list.size() + (list.size() == 1 ? " entry" : " entries")
                + (authorization.version() < 0 ? " (disabled: localAuthListEnabled=false)" : "") + "\n");
        if (list.size() > 0) {
            out.append(String.format("%-20s %-9s %-20s %s%n", "IDTAG", "STATUS", "EXPIRY", "PARENT"));
            list.entries().forEach(e -> out.append(row(e.idTag(), e.idTagInfo())));
        }
        return out.toString();
    }

    @Descriptor("add or change an idTag of the local list (no expiry, no parent)")
    public String authset(@Descriptor("idTag") String idTag,
                          @Descriptor("Accepted, Blocked, Expired or Invalid") String status) {
        return authset(idTag, status, "-", "-");
    }

    @Descriptor("add or change an idTag of the local list with an expiry date")
    public String authset(@Descriptor("idTag") String idTag,
                          @Descriptor("Accepted, Blocked, Expired or Invalid") String status,
                          @Descriptor("expiry: 2027-01-01T00:00:00Z, 2027-01-01 (start of day UTC) or - for none")
                          String expiry) {
        return authset(idTag, status, expiry, "-");
    }

    @Descriptor("add or change an idTag of the local list with an expiry date and a parentIdTag group")
    public String authset(@Descriptor("idTag") String idTag,
                          @Descriptor("Accepted, Blocked, Expired or Invalid") String status,
                          @Descriptor("expiry: 2027-01-01T00:00:00Z, 2027-01-01 (start of day UTC) or - for none")
                          String expiry,
                          @Descriptor("parentIdTag, or - for none") String parent) {
        AuthorizationStatus parsedStatus = Arrays.stream(AuthorizationStatus.values())
                .filter(s -> s != AuthorizationStatus.ConcurrentTx && s.name().equalsIgnoreCase(status))
                .findFirst().orElse(null);
        if (parsedStatus == null) {
            return "Status must be Accepted, Blocked, Expired or Invalid, not " + status;
        }
        Instant expiryDate;
        try {
            expiryDate = expiry(expiry);
        } catch (DateTimeParseException e) {
            return "Expiry must be like 2027-01-01T00:00:00Z or 2027-01-01, or - for none; not " + expiry;
        }
        IdTagInfo info = new IdTagInfo(expiryDate, "-".equals(parent) ? null : parent, parsedStatus);
        Result result = authorization.edit(list -> new SendLocalListRequest(list.version() + 1,
                List.of(new AuthorizationData(idTag, info)), UpdateType.Differential));
        if (result.status() != UpdateStatus.Accepted) {
            return "Not changed: " + result.status() + ", " + result.reason();
        }
        return "Set (list version " + result.list().version() + "):\n" + row(idTag, info);
    }

    @Descriptor("remove an idTag from the local list")
    public String authremove(@Descriptor("idTag") String idTag) {
        Result result = authorization.edit(list -> list.entry(idTag).isEmpty() ? null
                : new SendLocalListRequest(list.version() + 1, List.of(new AuthorizationData(idTag, null)),
                        UpdateType.Differential));
        if (result == null) {
            return idTag + " is not in the local list; nothing changed";
        }
        if (result.status() != UpdateStatus.Accepted) {
            return "Not changed: " + result.status() + ", " + result.reason();
        }
        return "Removed " + idTag + " (list version " + result.list().version() + ")";
    }

    @Descriptor("send the whole local list (SendLocalList Full) to a charger, or to all connected chargers")
    public String authpush(@Descriptor("charge point id, or all") String target) {
        ListSnapshot list = authorization.list();
        if (list.version() < 1) {
            return "The local list was never set (version 0); set entries first";
        }
        List<String> targets = "all".equalsIgnoreCase(target)
                ? site.chargers().stream().filter(ChargerInfo::connected).map(ChargerInfo::chargePointId).toList()
                : List.of(target);
        if (targets.isEmpty()) {
            return "No charger is connected";
        }
        SendLocalListRequest request = new SendLocalListRequest(list.version(), list.entries(), UpdateType.Full);
        // Sent to every charger at once; each has its own queue in the central system.
        Map<String, CompletableFuture<String>> answers = new LinkedHashMap<>();
        for (String id : targets) {
            answers.put(id, commands.call(id, request).toCompletableFuture()
                    .thenApply(c -> c.status().value())
                    .orTimeout(PUSH_WAIT_SECONDS, TimeUnit.SECONDS)
                    .exceptionally(AuthorizationShellCommands::failure));
        }
        StringBuilder out = new StringBuilder("SendLocalList Full, version " + list.version() + ", "
                + list.size() + (list.size() == 1 ? " entry" : " entries") + ":\n");
        answers.forEach((id, answer) -> out.append(String.format("%-20s %s%n", id, answer.join())));
        return out.toString();
    }

    @Descriptor("show the authorization cache")
    public String authcache() {
        List<LocalAuthorization.CacheEntry> entries = authorization.cacheEntries();
        StringBuilder out = new StringBuilder("Authorization cache: " + entries.size()
                + (entries.size() == 1 ? " entry" : " entries") + "\n");
        if (!entries.isEmpty()) {
            out.append(String.format("%-20s %-9s %-20s %-20s %s%n", "IDTAG", "STATUS", "EXPIRY", "PARENT", "CACHED"));
            for (LocalAuthorization.CacheEntry e : entries) {
                out.append(String.format("%-20s %-9s %-20s %-20s %s%n", e.idTag(), e.info().status().value(),
                        time(e.info().expiryDate()), orDash(e.info().parentIdTag()), time(e.cachedAt())));
            }
        }
        return out.toString();
    }

    @Descriptor("clear the authorization cache (as ClearCache)")
    public String authclearcache() {
        authorization.clear();
        return "Authorization cache cleared";
    }

    private static Instant expiry(String text) {
        if ("-".equals(text)) {
            return null;
        }
        if (text.length() == 10) {
            return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
        }
        return Instant.parse(text);
    }

    private static String row(String idTag, IdTagInfo info) {
        return String.format("%-20s %-9s %-20s %s%n", idTag, info.status().value(), time(info.expiryDate()),
                orDash(info.parentIdTag()));
    }

    /** Why a charger gave no status. */
    private static String failure(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return cause instanceof TimeoutException ? "Failed: no answer within " + PUSH_WAIT_SECONDS + " s"
                : "Failed: " + cause.getMessage();
    }

    /** ISO 8601 in UTC, as authset and the list file take it. */
    private static String time(Instant instant) {
        return instant == null ? "-" : instant.toString();
    }

    private static String orDash(String s) {
        return s == null ? "-" : s;
    }
}
