package org.chargeedge.shell.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import org.apache.felix.service.command.Descriptor;
import org.chargeedge.api.charger.ChargerCommands;
import org.chargeedge.api.charger.ChargerDiagnostics;
import org.chargeedge.api.charger.ChargerInfo;
import org.chargeedge.api.charger.ConnectorInfo;
import org.chargeedge.api.charger.SiteReadiness;
import org.chargeedge.api.charger.SiteView;
import org.chargeedge.api.charger.TransactionInfo;
import org.chargeedge.api.upstream.UpstreamStatus;
import org.chargeedge.ocpp.v16.ChangeConfigurationRequest;
import org.chargeedge.ocpp.v16.Confirmation;
import org.chargeedge.ocpp.v16.GetConfigurationConfirmation;
import org.chargeedge.ocpp.v16.GetConfigurationRequest;
import org.chargeedge.ocpp.v16.KeyValue;
import org.chargeedge.ocpp.v16.MessageTrigger;
import org.chargeedge.ocpp.v16.MeterValue;
import org.chargeedge.ocpp.v16.RemoteStartTransactionRequest;
import org.chargeedge.ocpp.v16.RemoteStopTransactionRequest;
import org.chargeedge.ocpp.v16.Request;
import org.chargeedge.ocpp.v16.ResetRequest;
import org.chargeedge.ocpp.v16.ResetType;
import org.chargeedge.ocpp.v16.SampledValue;
import org.chargeedge.ocpp.v16.TriggerMessageRequest;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo commands for installers and operators: see the chargers and command
 * them. Each command that calls a charger waits for its answer (or the
 * central system's call timeout) and prints it.
 */
@Component(service = ChargerShellCommands.class, property = {
        "osgi.command.scope=chargeedge",
        "osgi.command.function=site",
        "osgi.command.function=chargers",
        "osgi.command.function=charger",
        "osgi.command.function=remotestart",
        "osgi.command.function=remotestop",
        "osgi.command.function=reset",
        "osgi.command.function=getconfig",
        "osgi.command.function=changeconfig",
        "osgi.command.function=trigger"})
public class ChargerShellCommands {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);
    /** Longer than any sensible call timeout of the central system, which answers first. */
    private static final Duration WAIT = Duration.ofSeconds(120);

    private final SiteView site;
    private final ChargerCommands commands;

    @Activate
    public ChargerShellCommands(@Reference SiteView site, @Reference ChargerCommands commands) {
        this.site = site;
        this.commands = commands;
    }

    @Descriptor("show whether the site is ready: every required part (store, authorization, upstream, ...) there")
    public String site() {
        SiteReadiness r = site.readiness();
        StringBuilder out = new StringBuilder();
        out.append("Site             ").append(r.ready() ? "ready" : "NOT READY").append(" since ").append(time(r.since()))
                .append(r.ready() ? "" : ": chargers' calls wait for the missing parts").append('\n');
        out.append("Required parts   ").append(r.required().isEmpty() ? "none" : String.join(", ", r.required()))
                .append('\n');
        out.append("Missing parts    ").append(r.missing().isEmpty() ? "none" : String.join(", ", r.missing()))
                .append('\n');
        return out.toString();
    }

    @Descriptor("list the chargers with their connection, boot data, connectors and open transactions")
    public String chargers() {
        SiteReadiness readiness = site.readiness();
        String header = readiness.ready() ? "site: ready\n"
                : "site: NOT READY, waiting for " + String.join(", ", readiness.missing()) + "\n";
        List<ChargerInfo> all = site.chargers();
        if (all.isEmpty()) {
            return header + "No charger has connected yet.";
        }
        StringBuilder out = new StringBuilder(header).append(String.format("%-20s %-13s %-20s %-24s %-10s %s%n", "ID",
                "STATE", "SINCE", "VENDOR/MODEL", "FIRMWARE", "CONNECTORS [TRANSACTIONS]"));
        for (ChargerInfo c : all) {
            String state = !c.connected() ? "disconnected" : c.boot() == null ? "never booted" : "connected";
            Instant since = c.connected() ? c.connectedSince() : c.disconnectedSince();
            String model = c.boot() == null ? "-" : c.boot().chargePointVendor() + " " + c.boot().chargePointModel();
            String firmware = c.boot() == null || c.boot().firmwareVersion() == null ? "-" : c.boot().firmwareVersion();
            String connectors = c.connectors().stream().filter(k -> k.connectorId() > 0)
                    .map(k -> k.connectorId() + ":" + (k.status() == null ? "?" : k.status().value()))
                    .collect(Collectors.joining(" "));
            String transactions = c.openTransactions().stream().map(t -> String.valueOf(t.transactionId()))
                    .collect(Collectors.joining(","));
            out.append(String.format("%-20s %-13s %-20s %-24s %-10s %s%s%n", c.chargePointId(), state, time(since),
                    model, firmware, connectors.isEmpty() ? "-" : connectors,
                    transactions.isEmpty() ? "" : " [" + transactions + "]"));
        }
        return out.toString();
    }

    @Descriptor("show one charger in detail")
    public String charger(@Descriptor("charge point id") String chargePointId) {
        ChargerInfo c = site.charger(chargePointId).orElse(null);
        if (c == null) {
            return "Unknown charger " + chargePointId + ". Known: "
                    + site.chargers().stream().map(ChargerInfo::chargePointId).collect(Collectors.joining(", "));
        }
        StringBuilder out = new StringBuilder();
        out.append("Charger          ").append(c.chargePointId()).append('\n');
        out.append("Connection       ").append(c.connected() ? "connected since " + time(c.connectedSince())
                : "disconnected since " + time(c.disconnectedSince())).append(" from ").append(c.remoteAddress())
                .append('\n');
        out.append("Last seen        ").append(time(c.lastSeen())).append('\n');
        if (c.boot() == null) {
            out.append("Boot             no BootNotification received\n");
        } else {
            out.append("Boot             ").append(time(c.bootedAt())).append(": ").append(c.boot().chargePointVendor())
                    .append(' ').append(c.boot().chargePointModel())
                    .append(", serial ").append(orDash(c.boot().chargePointSerialNumber()))
                    .append(", firmware ").append(orDash(c.boot().firmwareVersion()))
                    .append(", meter ").append(orDash(c.boot().meterType())).append('\n');
        }
        for (ConnectorInfo k : c.connectors()) {
            out.append("Connector ").append(k.connectorId()).append("      ")
                    .append(k.status() == null ? "no status" : k.status().value())
                    .append(k.errorCode() == null ? "" : " / " + k.errorCode().value())
                    .append(k.info() == null ? "" : " (" + k.info() + ")")
                    .append(k.vendorErrorCode() == null ? "" : " vendor error " + k.vendorErrorCode())
                    .append(k.statusTimestamp() == null ? "" : " at " + time(k.statusTimestamp()))
                    .append(meter(k.latestMeterValue())).append('\n');
        }
        for (TransactionInfo t : c.openTransactions()) {
            out.append("Transaction ").append(t.transactionId()).append("    connector ").append(t.connectorId())
                    .append(", idTag ").append(t.idTag()).append(", started ").append(time(t.startedAt()))
                    .append(", meter start ").append(t.meterStart()).append(" Wh")
                    .append(meter(t.latestMeterValue())).append('\n');
        }
        UpstreamStatus.Link u = c.upstream();
        if (u != null) {
            out.append("Upstream         ").append(u.connected() ? "up since " + time(u.connectedSince())
                    : "down since " + time(u.downSince())).append(", ").append(u.queueDepth()).append(" queued")
                    .append(u.oldestQueued() == null ? "" : " (oldest " + time(u.oldestQueued()) + ")")
                    .append(", ").append(u.failed()).append(" failed")
                    .append(u.draining() ? ", delivering the queue of a charger that is gone" : "")
                    .append(u.lastProblem() == null ? "" : "; last problem: " + u.lastProblem()).append('\n');
        }
        diagnostics(c.diagnostics(), out);
        return out.toString();
    }

    /** What the charger refused, as the central system saw it in its answers; nothing when all is well. */
    private static void diagnostics(ChargerDiagnostics d, StringBuilder out) {
        ChargerDiagnostics.LocalListProblem list = d.localList();
        if (list != null) {
            out.append("Local list       ").append(switch (list.outcome()) {
                case FAILED -> "version " + list.attemptedVersion() + " not stored (Failed): push the full list again";
                case VERSION_MISMATCH -> "update to version " + list.attemptedVersion()
                        + " refused (VersionMismatch): push the full list";
                case NOT_SUPPORTED -> "not supported by the charger";
                case OUT_OF_STEP -> "reports version " + list.reportedVersion() + ", accepted "
                        + list.acceptedVersion() + ": push the full list";
            }).append(" (").append(time(list.at())).append(")\n");
        }
        for (ChargerDiagnostics.ConfigurationKeyProblem k : d.configuration()) {
            out.append("Refused key      ").append(k.key()).append(k.value() == null ? "" : " = " + k.value())
                    .append(": ").append(switch (k.outcome()) {
                        case REJECTED -> "Rejected";
                        case NOT_SUPPORTED -> "NotSupported";
                        case REBOOT_REQUIRED -> "RebootRequired (applies after a reset)";
                        case UNKNOWN_KEY -> "unknown key";
                    }).append(" (").append(time(k.at())).append(")\n");
        }
    }

    @Descriptor("ask a charger to start a transaction")
    public String remotestart(@Descriptor("charge point id") String chargePointId,
                              @Descriptor("idTag") String idTag,
                              @Descriptor("connector id, 0 to let the charger choose") int connectorId) {
        return ask(chargePointId, new RemoteStartTransactionRequest(connectorId > 0 ? connectorId : null, idTag, null));
    }

    @Descriptor("ask a charger to start a transaction on a connector of its choice")
    public String remotestart(@Descriptor("charge point id") String chargePointId, @Descriptor("idTag") String idTag) {
        return remotestart(chargePointId, idTag, 0);
    }

    @Descriptor("ask a charger to stop a transaction")
    public String remotestop(@Descriptor("charge point id") String chargePointId,
                             @Descriptor("transaction id") int transactionId) {
        return ask(chargePointId, new RemoteStopTransactionRequest(transactionId));
    }

    @Descriptor("reset a charger: soft (default) or hard")
    public String reset(@Descriptor("charge point id") String chargePointId, @Descriptor("soft or hard") String type) {
        ResetType resetType = Arrays.stream(ResetType.values()).filter(t -> t.name().equalsIgnoreCase(type))
                .findFirst().orElse(null);
        if (resetType == null) {
            return "Reset type must be soft or hard, not " + type;
        }
        return ask(chargePointId, new ResetRequest(resetType));
    }

    @Descriptor("soft-reset a charger")
    public String reset(@Descriptor("charge point id") String chargePointId) {
        return reset(chargePointId, "soft");
    }

    @Descriptor("read configuration keys of a charger (all when none are named)")
    public String getconfig(@Descriptor("charge point id") String chargePointId,
                            @Descriptor("keys") String... keys) {
        Object answer = await(commands.call(chargePointId,
                new GetConfigurationRequest(keys.length == 0 ? null : List.of(keys))));
        if (!(answer instanceof GetConfigurationConfirmation conf)) {
            return String.valueOf(answer);
        }
        StringBuilder out = new StringBuilder();
        if (conf.configurationKey() != null) {
            for (KeyValue kv : conf.configurationKey()) {
                out.append(String.format("%-40s %-4s %s%n", kv.key(), kv.readonly() ? "ro" : "rw",
                        kv.value() == null ? "" : kv.value()));
            }
        }
        if (conf.unknownKey() != null && !conf.unknownKey().isEmpty()) {
            out.append("Unknown keys: ").append(String.join(", ", conf.unknownKey())).append('\n');
        }
        return out.toString();
    }

    @Descriptor("change a configuration key of a charger")
    public String changeconfig(@Descriptor("charge point id") String chargePointId, @Descriptor("key") String key,
                               @Descriptor("value") String value) {
        return ask(chargePointId, new ChangeConfigurationRequest(key, value));
    }

    @Descriptor("ask a charger to send a message now: BootNotification, DiagnosticsStatusNotification, "
            + "FirmwareStatusNotification, Heartbeat, MeterValues or StatusNotification")
    public String trigger(@Descriptor("charge point id") String chargePointId, @Descriptor("message") String message,
                          @Descriptor("connector id, 0 for none") int connectorId) {
        MessageTrigger trigger = Arrays.stream(MessageTrigger.values())
                .filter(t -> t.value().equalsIgnoreCase(message)).findFirst().orElse(null);
        if (trigger == null) {
            return "Unknown message " + message + "; one of " + Arrays.toString(MessageTrigger.values());
        }
        return ask(chargePointId, new TriggerMessageRequest(trigger, connectorId > 0 ? connectorId : null));
    }

    @Descriptor("ask a charger to send a message now")
    public String trigger(@Descriptor("charge point id") String chargePointId, @Descriptor("message") String message) {
        return trigger(chargePointId, message, 0);
    }

    private <C extends Confirmation> String ask(String chargePointId, Request<C> request) {
        return String.valueOf(await(commands.call(chargePointId, request)));
    }

    /** The stage's result, or a sentence saying why there is none. */
    static Object await(CompletionStage<?> stage) {
        try {
            return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return "Failed: " + e.getCause().getMessage();
        } catch (TimeoutException e) {
            return "Failed: no answer within " + WAIT.toSeconds() + " s";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "Interrupted";
        }
    }

    private static String meter(MeterValue m) {
        if (m == null) {
            return "";
        }
        return ", meter at " + time(m.timestamp()) + ": " + m.sampledValue().stream().map(ChargerShellCommands::sample)
                .collect(Collectors.joining(", "));
    }

    private static String sample(SampledValue s) {
        String measurand = s.measurand() == null ? "Energy.Active.Import.Register" : s.measurand().value();
        String unit = s.unit() == null ? "" : " " + s.unit().value();
        String phase = s.phase() == null ? "" : " " + s.phase().value();
        return measurand + phase + " " + s.value() + unit;
    }

    static String time(Instant instant) {
        return instant == null ? "-" : TIME.format(instant);
    }

    private static String orDash(String s) {
        return s == null ? "-" : s;
    }

}
