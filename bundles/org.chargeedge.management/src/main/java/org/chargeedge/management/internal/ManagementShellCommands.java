package org.chargeedge.management.internal;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.chargeedge.api.management.BundleInfo;
import org.chargeedge.api.management.BundleSource;
import org.chargeedge.api.management.ConfigSnapshot;
import org.chargeedge.api.management.ConfigurationInfo;
import org.chargeedge.api.management.Job;
import org.chargeedge.api.management.JobBundle;
import org.chargeedge.api.management.Management;
import org.chargeedge.api.management.ManagementException;
import org.chargeedge.api.management.ReleaseChannelStatus;
import org.chargeedge.api.management.UpdateRequest;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Gogo commands over the management service, for an operator at the gateway's console. */
@Component(service = ManagementShellCommands.class, property = {
        "osgi.command.scope=chargeedge",
        "osgi.command.function=bundles",
        "osgi.command.function=update",
        "osgi.command.function=uninstall",
        "osgi.command.function=factoryreset",
        "osgi.command.function=job",
        "osgi.command.function=jobs",
        "osgi.command.function=config",
        "osgi.command.function=configremove",
        "osgi.command.function=snapshot",
        "osgi.command.function=snapshots",
        "osgi.command.function=rollback",
        "osgi.command.function=channel"})
public class ManagementShellCommands {

    /** Who starts a job from the shell: the gateway's console has no user of its own. */
    static final String SHELL = "shell";


    private final Management management;

    @Activate
    public ManagementShellCommands(@Reference Management management) {
        this.management = management;
    }

    @Descriptor("list the installed bundles with their versions and states ('job': installed at run time)")
    public String bundles() {
        return management.bundles().stream().map(ManagementShellCommands::line).collect(Collectors.joining("\n"));
    }

    @Descriptor("update or install bundles as one job: pairs of a URL (http, https) or a jar file on this machine,"
            + " and its SHA-256; the job stages, verifies, applies, waits for health, and commits or rolls back")
    public String update(
            @Descriptor("allow replacing a bundle with a version not higher than the installed one")
            @Parameter(names = "--downgrade", presentValue = "true", absentValue = "false") boolean downgrade,
            @Descriptor("URL-or-file SHA-256 [URL-or-file SHA-256 ...]") String... args) {
        if (args.length == 0 || args.length % 2 != 0) {
            return "Give pairs of a URL or jar file and its SHA-256, e.g. chargeedge:update"
                    + " https://repo.example/org.chargeedge.mqtt-1.2.0.jar 3f5c...";
        }
        List<BundleSource> sources = new ArrayList<>();
        for (int i = 0; i < args.length; i += 2) {
            String where = args[i];
            String sha = args[i + 1];
            if (where.startsWith("http://") || where.startsWith("https://")) {
                sources.add(BundleSource.download(URI.create(where), sha));
            } else {
                try {
                    sources.add(BundleSource.upload(Files.readAllBytes(Path.of(where)), sha));
                } catch (IOException e) {
                    return "Cannot read " + where + ": " + e;
                }
            }
        }
        try {
            Job job = management.submitUpdate(new UpdateRequest(sources, downgrade, "shell", SHELL));
            return "Job " + job.id() + " started; follow it with chargeedge:job " + job.id();
        } catch (ManagementException e) {
            return refused(e);
        }
    }

    @Descriptor("uninstall a bundle as a job: a copy is kept, the bundle is uninstalled and the job waits for health;"
            + " without health it is reinstalled from the copy. Refused for the framework, the management bundle"
            + " and a bundle another one requires")
    public String uninstall(@Descriptor("the bundle's symbolic name") String symbolicName) {
        try {
            Job job = management.submitUninstall(symbolicName, "shell", SHELL);
            return "Job " + job.id() + " started; follow it with chargeedge:job " + job.id();
        } catch (ManagementException e) {
            return refused(e);
        }
    }

    @Descriptor("stop the gateway and, at its next start, restore the distribution's bundles and the configuration"
            + " files, keeping the data (store, users, job records); give the word 'confirm'")
    public String factoryreset(@Descriptor("confirm") String... confirm) {
        if (confirm.length != 1 || !"confirm".equals(confirm[0])) {
            return "Nothing done: type chargeedge:factoryreset confirm";
        }
        try {
            management.factoryReset("shell");
            return "Factory reset requested: the gateway stops now and resets at its next start (systemd starts it"
                    + " again; from a terminal, start it again yourself)";
        } catch (ManagementException e) {
            return refused(e);
        }
    }

    @Descriptor("show the running job, or say that none runs")
    public String job() {
        return management.currentJob().map(ManagementShellCommands::detail).orElse("No job is running");
    }

    @Descriptor("show a job with every step it took")
    public String job(@Descriptor("job id") String id) {
        return management.job(id).map(ManagementShellCommands::detail).orElse("No job " + id);
    }

    @Descriptor("list the jobs, newest first")
    public String jobs() {
        List<Job> all = management.jobs();
        if (all.isEmpty()) {
            return "No job yet";
        }
        return all.stream().map(j -> String.format("%-5s %-16s %s  %-16s %s", j.id(), j.state(), j.updated(),
                j.startedBy() == null ? "-" : j.startedBy(), j.outcome())).collect(Collectors.joining("\n"));
    }

    @Descriptor("list the configurations")
    public String config() {
        return management.configurations().stream()
                .map(c -> c.pid() + (c.file() == null ? "  (set at run time)" : "  (" + c.file() + ")"))
                .collect(Collectors.joining("\n"));
    }

    @Descriptor("show one configuration, or change it: KEY=VALUE ... (validated against the component's metatype;"
            + " several values separated by commas); a snapshot is taken first")
    public String config(@Descriptor("pid") String pid, @Descriptor("KEY=VALUE ...") String... changes) {
        try {
            if (changes.length == 0) {
                return show(management.configuration(pid));
            }
            Map<String, String> set = new LinkedHashMap<>();
            for (String c : changes) {
                int eq = c.indexOf('=');
                if (eq <= 0) {
                    return "Give KEY=VALUE, not '" + c + "'";
                }
                set.put(c.substring(0, eq), c.substring(eq + 1));
            }
            return "Changed:\n" + show(management.changeConfiguration(pid, set, Set.of()));
        } catch (ManagementException e) {
            return refused(e);
        }
    }

    @Descriptor("remove properties from a configuration (their defaults apply); a snapshot is taken first")
    public String configremove(@Descriptor("pid") String pid, @Descriptor("KEY ...") String... keys) {
        try {
            return "Changed:\n" + show(management.changeConfiguration(pid, Map.of(),
                    new LinkedHashSet<>(List.of(keys))));
        } catch (ManagementException e) {
            return refused(e);
        }
    }

    @Descriptor("save every configuration as a snapshot")
    public String snapshot(@Descriptor("why, in a few words") String... reason) {
        try {
            ConfigSnapshot s = management.snapshotConfiguration(String.join(" ", reason));
            return "Snapshot " + s.id() + " of " + s.pids().size() + " configurations";
        } catch (ManagementException e) {
            return refused(e);
        }
    }

    @Descriptor("list the configuration snapshots, newest first")
    public String snapshots() {
        List<ConfigSnapshot> all = management.configurationSnapshots();
        if (all.isEmpty()) {
            return "No snapshot yet";
        }
        return all.stream().map(s -> String.format("%-5s %s  %d configurations  %s", s.id(), s.created(),
                s.pids().size(), s.reason())).collect(Collectors.joining("\n"));
    }

    @Descriptor("restore every configuration from a snapshot (the state before is saved as a new snapshot)")
    public String rollback(@Descriptor("snapshot id") String id) {
        try {
            ConfigSnapshot before = management.rollbackConfiguration(id);
            return "Configuration restored from snapshot " + id + "; the state before is snapshot " + before.id();
        } catch (ManagementException e) {
            return refused(e);
        }
    }

    @Descriptor("show the release channel this gateway follows; 'poll' reads it now")
    public String channel(@Descriptor("poll: read the channel now") String... action) {
        try {
            ReleaseChannelStatus s;
            if (action.length == 1 && action[0].equals("poll")) {
                s = management.pollReleaseChannel();
            } else if (action.length == 0) {
                s = management.releaseChannel().orElse(null);
                if (s == null) {
                    return "No release channel configured";
                }
            } else {
                return "Give no argument, or 'poll'";
            }
            return String.format("Channel '%s' at %s%nApplied release: %d%nLast poll: %s%nLast outcome: %s%s",
                    s.channel(), s.url(), s.appliedRelease(), s.lastPoll() == null ? "never" : s.lastPoll(),
                    s.lastOutcome(), s.lastJobId() == null ? "" : "\nLast job: " + s.lastJobId());
        } catch (ManagementException e) {
            return refused(e);
        }
    }

    private static String line(BundleInfo b) {
        return String.format("%4d  %-11s %-45s %s%s%s", b.id(), b.state(), b.symbolicName(), b.version(),
                b.fragment() ? "  fragment" : "", b.distribution() ? "" : "  job");
    }

    private static String detail(Job j) {
        StringBuilder out = new StringBuilder();
        out.append("Job ").append(j.id()).append(" ").append(j.state()).append(", by ")
                .append(JobFile.who(j.origin(), j.startedBy()))
                .append(", submitted ").append(j.created()).append("\n").append(j.outcome());
        for (JobBundle b : j.bundles()) {
            if (b.toVersion() == null) {
                out.append(String.format("%n  %s %s -> (uninstalled)", b.symbolicName(), b.fromVersion()));
            } else {
                out.append(String.format("%n  %s %s -> %s  sha256 %s  from %s", b.symbolicName(),
                        b.fromVersion() == null ? "(new)" : b.fromVersion(), b.toVersion(), b.sha256(), b.source()));
            }
        }
        j.steps().forEach(s -> out.append("\n    ").append(s));
        return out.toString();
    }

    private static String show(ConfigurationInfo c) {
        StringBuilder out = new StringBuilder(c.pid());
        if (c.factoryPid() != null) {
            out.append("  (factory ").append(c.factoryPid()).append(")");
        }
        out.append(c.file() == null ? "  set at run time" : "  from " + c.file());
        c.properties().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> out.append("\n  ").append(e.getKey()).append(" = ").append(text(e.getValue())));
        return out.toString();
    }

    private static String text(Object v) {
        if (v != null && v.getClass().isArray()) {
            List<String> items = new ArrayList<>();
            for (int i = 0; i < java.lang.reflect.Array.getLength(v); i++) {
                items.add(String.valueOf(java.lang.reflect.Array.get(v, i)));
            }
            return String.join(",", items);
        }
        return String.valueOf(v);
    }

    private static String refused(ManagementException e) {
        return "Refused (" + e.reason() + "): " + e.getMessage();
    }
}
