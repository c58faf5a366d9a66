package org.chargeedge.management.internal;

import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.chargeedge.api.management.ConfigSnapshot;
import org.chargeedge.api.management.ConfigurationInfo;
import org.chargeedge.api.management.ManagementException;
import org.chargeedge.api.management.ManagementException.Reason;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Configuration shown, changed (validated against metatype first) and saved
 * as snapshots in {@code DATA/management/config-snapshots/ID.json} (written
 * atomically), with their types, so a rollback gives back exactly what was
 * there. Callers serialise changes (the management service's monitor);
 * reading needs no lock.
 */
final class ConfigManager implements ConfigBackup {

    /** Snapshots kept; the oldest beyond go. */
    static final int KEEP_SNAPSHOTS = 50;
    static final String FILE_PROPERTY = "felix.fileinstall.filename";
    private static final Set<String> FRAMEWORK_KEYS = Set.of(Constants.SERVICE_PID,
            ConfigurationAdmin.SERVICE_FACTORYPID, ConfigurationAdmin.SERVICE_BUNDLELOCATION);
    private static final String MASK = "********";

    /** One configuration in a snapshot: each value with its type, so numbers stay numbers. */
    record Saved(String pid, String factoryPid, Map<String, TypedValue> properties) {
    }

    /** A value and its Java type name ("Integer", "String[]", "List"). */
    record TypedValue(String type, Object value) {
    }

    /** A snapshot as written on disk. */
    record SnapshotFile(String id, String created, String reason, List<Saved> configurations) {
    }

    private final ConfigurationAdmin cm;
    private final MetaTypeService metatype;
    private final BundleContext context;
    private final Path dir;
    private final Clock clock;
    private final String keepPid;
    private final ObjectMapper json = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    ConfigManager(ConfigurationAdmin cm, MetaTypeService metatype, BundleContext context, Path dir, Clock clock,
            String keepPid) throws IOException {
        this.keepPid = keepPid;
        this.cm = cm;
        this.metatype = metatype;
        this.context = context;
        this.dir = Files.createDirectories(dir);
        this.clock = clock;
    }

    List<ConfigurationInfo> list() throws ManagementException {
        return Arrays.stream(all()).map(this::info).sorted(Comparator.comparing(ConfigurationInfo::pid)).toList();
    }

    ConfigurationInfo get(String pid) throws ManagementException {
        Configuration c = find(pid);
        if (c == null) {
            throw new ManagementException(Reason.NOT_FOUND, "no configuration " + pid);
        }
        return info(c);
    }

    /** Validates every change against the metatype, and applies them all or none. */
    ConfigurationInfo change(String pid, Map<String, String> set, Set<String> remove) throws ManagementException {
        Configuration c = find(pid);
        String factoryPid = c == null ? null : c.getFactoryPid();
        ObjectClassDefinition ocd = definition(factoryPid != null ? factoryPid : pid);
        if (ocd == null) {
            throw new ManagementException(Reason.NOT_FOUND, "no metatype describes " + pid
                    + ", so a change cannot be validated; only the configurations of ChargeEdge's components can be"
                    + " changed here");
        }
        Map<String, AttributeDefinition> attributes = new HashMap<>();
        for (AttributeDefinition ad : ocd.getAttributeDefinitions(ObjectClassDefinition.ALL)) {
            attributes.put(ad.getID(), ad);
        }
        List<String> problems = new ArrayList<>();
        Map<String, Object> converted = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : new TreeMap<>(set).entrySet()) {
            AttributeDefinition ad = attributes.get(e.getKey());
            if (ad == null) {
                problems.add("unknown key '" + e.getKey() + "' (known: " + String.join(", ", new TreeMap<>(attributes)
                        .keySet()) + ")");
                continue;
            }
            String verdict = ad.validate(e.getValue());
            if (verdict != null && !verdict.isEmpty()) {
                problems.add(e.getKey() + " = '" + e.getValue() + "': " + verdict);
                continue;
            }
            try {
                converted.put(e.getKey(), convert(ad, e.getValue()));
            } catch (IllegalArgumentException ex) {
                problems.add(e.getKey() + " = '" + e.getValue() + "': " + ex.getMessage());
            }
        }
        for (String key : remove) {
            if (!attributes.containsKey(key)) {
                problems.add("unknown key '" + key + "' cannot be removed");
            }
        }
        if (!problems.isEmpty()) {
            throw new ManagementException(Reason.INVALID, pid + " not changed: " + String.join("; ", problems));
        }
        snapshot("before changing " + pid);
        try {
            if (c == null) {
                c = cm.getConfiguration(pid, "?");
            }
            Dictionary<String, Object> props = c.getProperties() == null ? new Hashtable<>() : c.getProperties();
            converted.forEach(props::put);
            remove.forEach(props::remove);
            c.updateIfDifferent(props);
        } catch (IOException e) {
            throw new ManagementException(Reason.UNAVAILABLE, pid + " cannot be written: " + e.getMessage(), e);
        }
        return info(c);
    }

    @Override
    public String snapshot(String reason) throws ManagementException {
        return snapshotInfo(reason).id();
    }

    ConfigSnapshot snapshotInfo(String reason) throws ManagementException {
        List<Saved> saved = new ArrayList<>();
        for (Configuration c : all()) {
            Map<String, TypedValue> props = new TreeMap<>();
            Dictionary<String, Object> d = c.getProperties();
            for (Enumeration<String> keys = d.keys(); keys.hasMoreElements();) {
                String k = keys.nextElement();
                if (!FRAMEWORK_KEYS.contains(k)) {
                    props.put(k, encode(d.get(k)));
                }
            }
            saved.add(new Saved(c.getPid(), c.getFactoryPid(), props));
        }
        saved.sort(Comparator.comparing(Saved::pid));
        try {
            String id = Long.toString(ids().stream().mapToLong(Long::longValue).max().orElse(0) + 1);
            SnapshotFile file = new SnapshotFile(id, clock.instant().toString(), reason, saved);
            AtomicFiles.write(dir.resolve(id + ".json"), json.writerWithDefaultPrettyPrinter().writeValueAsBytes(file));
            List<Long> ids = new ArrayList<>(ids());
            ids.sort(Comparator.reverseOrder());
            for (long old : ids.subList(Math.min(KEEP_SNAPSHOTS, ids.size()), ids.size())) {
                Files.deleteIfExists(dir.resolve(old + ".json"));
            }
            return toSnapshot(file);
        } catch (IOException e) {
            throw new ManagementException(Reason.UNAVAILABLE, "the configuration snapshot cannot be written to "
                    + dir + ": " + e.getMessage(), e);
        }
    }

    List<ConfigSnapshot> snapshots() throws ManagementException {
        List<ConfigSnapshot> out = new ArrayList<>();
        try {
            for (long id : ids()) {
                out.add(toSnapshot(read(Long.toString(id))));
            }
        } catch (IOException e) {
            throw new ManagementException(Reason.UNAVAILABLE, "the snapshots in " + dir + " cannot be read: " + e, e);
        }
        out.sort(Comparator.comparingLong((ConfigSnapshot s) -> Long.parseLong(s.id())).reversed());
        return out;
    }

    /** Takes a snapshot of the present state, then restores the given one. */
    ConfigSnapshot rollback(String id) throws ManagementException {
        if (!Files.isRegularFile(fileOf(id))) {
            throw new ManagementException(Reason.NOT_FOUND, "no configuration snapshot " + id);
        }
        ConfigSnapshot before = snapshotInfo("before rolling back to snapshot " + id);
        restore(id, pid -> true, false);
        return before;
    }

    /**
     * A job's rollback: restores the configurations set at run time, except
     * {@code keepPid} (the management service's own, which would restart the
     * rollback itself). Configurations read from files of the configuration
     * directory are left to their files: an operator's edit there, made while
     * the job ran, must not be undone by it.
     */
    @Override
    public void restore(String id) throws ManagementException {
        restore(id, pid -> !pid.equals(keepPid), true);
    }

    private void restore(String id, Predicate<String> touch, boolean skipFiles)
            throws ManagementException {
        SnapshotFile snapshot;
        try {
            snapshot = read(id);
        } catch (IOException e) {
            throw new ManagementException(Reason.NOT_FOUND, "configuration snapshot " + id + " cannot be read: " + e, e);
        }
        Map<String, Configuration> now = new HashMap<>();
        for (Configuration c : all()) {
            now.put(c.getPid(), c);
        }
        try {
            for (Saved s : snapshot.configurations()) {
                Configuration c = now.remove(s.pid());
                if (!touch.test(s.pid()) || skipFiles && (s.properties().containsKey(FILE_PROPERTY)
                        || c != null && c.getProperties().get(FILE_PROPERTY) != null)) {
                    continue;
                }
                if (c == null) {
                    int tilde = s.pid().indexOf('~');
                    c = s.factoryPid() == null ? cm.getConfiguration(s.pid(), "?")
                            : tilde > 0 ? cm.getFactoryConfiguration(s.factoryPid(), s.pid().substring(tilde + 1), "?")
                                    : cm.createFactoryConfiguration(s.factoryPid(), "?");
                }
                Hashtable<String, Object> props = new Hashtable<>();
                s.properties().forEach((k, v) -> props.put(k, decode(v)));
                c.updateIfDifferent(props);
            }
            for (Configuration extra : now.values()) {
                if (touch.test(extra.getPid()) && !(skipFiles && extra.getProperties().get(FILE_PROPERTY) != null)) {
                    extra.delete();
                }
            }
        } catch (IOException e) {
            throw new ManagementException(Reason.UNAVAILABLE, "restoring snapshot " + id + " failed: " + e, e);
        }
    }

    private Configuration[] all() throws ManagementException {
        try {
            Configuration[] all = cm.listConfigurations(null);
            return all == null ? new Configuration[0] : all;
        } catch (IOException | InvalidSyntaxException e) {
            throw new ManagementException(Reason.UNAVAILABLE, "Configuration Admin cannot list: " + e, e);
        }
    }

    private Configuration find(String pid) throws ManagementException {
        return Arrays.stream(all()).filter(c -> c.getPid().equals(pid)).findFirst().orElse(null);
    }

    private ConfigurationInfo info(Configuration c) {
        Dictionary<String, Object> d = c.getProperties();
        ObjectClassDefinition ocd = definition(c.getFactoryPid() != null ? c.getFactoryPid() : c.getPid());
        Set<String> secret = new HashSet<>();
        if (ocd != null) {
            for (AttributeDefinition ad : ocd.getAttributeDefinitions(ObjectClassDefinition.ALL)) {
                if (ad.getType() == AttributeDefinition.PASSWORD) {
                    secret.add(ad.getID());
                }
            }
        }
        Map<String, Object> props = new TreeMap<>();
        String file = null;
        for (Enumeration<String> keys = d.keys(); keys.hasMoreElements();) {
            String k = keys.nextElement();
            if (k.equals(FILE_PROPERTY)) {
                file = String.valueOf(d.get(k));
            } else if (!FRAMEWORK_KEYS.contains(k)) {
                boolean hide = secret.contains(k) || k.toLowerCase(Locale.ROOT).contains("password");
                props.put(k, hide ? MASK : d.get(k));
            }
        }
        return new ConfigurationInfo(c.getPid(), c.getFactoryPid(), props, file);
    }

    /** The metatype of a pid or factory pid, from whichever bundle declares it; null when none does. */
    private ObjectClassDefinition definition(String pid) {
        for (Bundle b : context.getBundles()) {
            MetaTypeInformation info = metatype.getMetaTypeInformation(b);
            if (info == null) {
                continue;
            }
            if (Arrays.asList(info.getPids()).contains(pid) || Arrays.asList(info.getFactoryPids()).contains(pid)) {
                return info.getObjectClassDefinition(pid, null);
            }
        }
        return null;
    }

    /** A string as the attribute's type; several values (cardinality not 0) separated by commas. */
    static Object convert(AttributeDefinition ad, String text) {
        if (ad.getCardinality() == 0) {
            return scalar(ad.getType(), text.trim());
        }
        String[] parts = text.isBlank() ? new String[0] : text.split(",");
        Object array = Array.newInstance(scalar(ad.getType(), defaultSample(ad.getType())).getClass(), parts.length);
        for (int i = 0; i < parts.length; i++) {
            Array.set(array, i, scalar(ad.getType(), parts[i].trim()));
        }
        return array;
    }

    private static String defaultSample(int type) {
        return switch (type) {
            case AttributeDefinition.BOOLEAN -> "false";
            case AttributeDefinition.CHARACTER -> "x";
            case AttributeDefinition.STRING, AttributeDefinition.PASSWORD -> "";
            default -> "0";
        };
    }

    private static Object scalar(int type, String s) {
        try {
            return switch (type) {
                case AttributeDefinition.INTEGER -> Integer.valueOf(s);
                case AttributeDefinition.LONG -> Long.valueOf(s);
                case AttributeDefinition.SHORT -> Short.valueOf(s);
                case AttributeDefinition.BYTE -> Byte.valueOf(s);
                case AttributeDefinition.DOUBLE -> Double.valueOf(s);
                case AttributeDefinition.FLOAT -> Float.valueOf(s);
                case AttributeDefinition.BOOLEAN -> {
                    if (!s.equalsIgnoreCase("true") && !s.equalsIgnoreCase("false")) {
                        throw new IllegalArgumentException("not true or false");
                    }
                    yield Boolean.valueOf(s);
                }
                case AttributeDefinition.CHARACTER -> {
                    if (s.length() != 1) {
                        throw new IllegalArgumentException("not a single character");
                    }
                    yield s.charAt(0);
                }
                default -> s;
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number of the expected kind");
        }
    }

    static TypedValue encode(Object v) {
        if (v instanceof Collection<?> c) {
            return new TypedValue("List", c.stream().map(ConfigManager::encode).toList());
        }
        if (v.getClass().isArray()) {
            List<Object> items = new ArrayList<>();
            for (int i = 0; i < Array.getLength(v); i++) {
                items.add(scalarText(Array.get(v, i)));
            }
            return new TypedValue(v.getClass().getComponentType().getSimpleName() + "[]", items);
        }
        return new TypedValue(v.getClass().getSimpleName(), scalarText(v));
    }

    static Object decode(TypedValue t) {
        if (t.type().equals("List")) {
            List<Object> out = new ArrayList<>();
            for (Object item : (List<?>) t.value()) {
                Map<?, ?> m = (Map<?, ?>) item;
                out.add(decode(new TypedValue((String) m.get("type"), m.get("value"))));
            }
            return out;
        }
        if (t.type().endsWith("[]")) {
            String element = t.type().substring(0, t.type().length() - 2);
            List<?> items = (List<?>) t.value();
            Object array = Array.newInstance(typeClass(element), items.size());
            for (int i = 0; i < items.size(); i++) {
                Array.set(array, i, parse(element, String.valueOf(items.get(i))));
            }
            return array;
        }
        return parse(t.type(), String.valueOf(t.value()));
    }

    private static Object scalarText(Object v) {
        return v instanceof Character ? v.toString() : v instanceof Number || v instanceof Boolean ? v.toString() : v;
    }

    private static Class<?> typeClass(String name) {
        return switch (name) {
            case "Integer", "int" -> Integer.class;
            case "Long", "long" -> Long.class;
            case "Short", "short" -> Short.class;
            case "Byte", "byte" -> Byte.class;
            case "Double", "double" -> Double.class;
            case "Float", "float" -> Float.class;
            case "Boolean", "boolean" -> Boolean.class;
            case "Character", "char" -> Character.class;
            default -> String.class;
        };
    }

    private static Object parse(String type, String s) {
        return switch (type) {
            case "Integer", "int" -> Integer.valueOf(s);
            case "Long", "long" -> Long.valueOf(s);
            case "Short", "short" -> Short.valueOf(s);
            case "Byte", "byte" -> Byte.valueOf(s);
            case "Double", "double" -> Double.valueOf(s);
            case "Float", "float" -> Float.valueOf(s);
            case "Boolean", "boolean" -> Boolean.valueOf(s);
            case "Character", "char" -> s.charAt(0);
            default -> s;
        };
    }

    private SnapshotFile read(String id) throws IOException {
        return json.readValue(fileOf(id).toFile(), SnapshotFile.class);
    }

    private Path fileOf(String id) {
        return dir.resolve((id.matches("\\d{1,18}") ? id : "invalid") + ".json");
    }

    private List<Long> ids() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d{1,18}\\.json"))
                    .map(n -> Long.parseLong(n.substring(0, n.length() - 5))).toList();
        }
    }

    private static ConfigSnapshot toSnapshot(SnapshotFile f) {
        return new ConfigSnapshot(f.id(), Instant.parse(f.created()), f.reason(),
                f.configurations().stream().map(Saved::pid).toList());
    }
}
