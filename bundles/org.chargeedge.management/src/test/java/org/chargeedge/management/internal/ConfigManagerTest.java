package org.chargeedge.management.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.chargeedge.api.management.ConfigSnapshot;
import org.chargeedge.api.management.ManagementException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.metatype.MetaTypeService;

/**
 * Configuration changes and snapshots against the real Felix Configuration
 * Admin and Metatype in a framework, with a test bundle declaring a metatype.
 */
class ConfigManagerTest {

    private static final String PID = "test.site";
    private static final String METATYPE = """
            <metatype:MetaData xmlns:metatype="http://www.osgi.org/xmlns/metatype/v1.4.0">
              <OCD id="test.site" name="site">
                <AD id="port" type="Integer" default="9000" min="1" max="65535"/>
                <AD id="unknownChargers" type="String" default="Wait">
                  <Option label="Wait" value="Wait"/><Option label="Open" value="Open"/>
                </AD>
                <AD id="requiredParts" type="String" cardinality="10" default="store"/>
                <AD id="secret" type="Password" default=""/>
              </OCD>
              <Designate pid="test.site"><Object ocdref="test.site"/></Designate>
            </metatype:MetaData>
            """;

    @TempDir
    Path dir;
    private TestFramework felix;
    private ConfigurationAdmin cm;
    private ConfigManager config;

    @BeforeEach
    void start() throws Exception {
        felix = new TestFramework(dir.resolve("framework"), Map.of("org.osgi.framework.system.packages.extra",
                "org.osgi.service.cm;version=1.6.1,org.osgi.service.metatype;version=1.4.0"));
        BundleContext context = felix.context();
        for (Class<?> inJar : List.of(org.apache.felix.log.Activator.class, org.apache.felix.cm.PersistenceManager.class,
                org.apache.felix.metatype.MetaData.class)) {
            context.installBundle(inJar.getProtectionDomain().getCodeSource().getLocation().toString()).start();
        }
        context.installBundle("test:site", new java.io.ByteArrayInputStream(metatypeBundle())).start();
        cm = context.getService(context.getServiceReference(ConfigurationAdmin.class));
        MetaTypeService metatype = context.getService(context.getServiceReference(MetaTypeService.class));
        config = new ConfigManager(cm, metatype, context, dir.resolve("snapshots"), Clock.systemUTC(),
                "test.management");
        Hashtable<String, Object> initial = new Hashtable<>();
        initial.put("port", "9000");
        initial.put(ConfigManager.FILE_PROPERTY, "file:/etc/chargeedge/test.site.cfg");
        cm.getConfiguration(PID, "?").update(initial);
    }

    @AfterEach
    void stop() throws Exception {
        felix.close();
    }

    /** A bundle whose metatype describes pid test.site (port, unknownChargers, requiredParts, secret). */
    static byte[] metatypeBundle() throws Exception {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", "test.site");
        a.putValue("Bundle-Version", "1.0.0");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes, m)) {
            jar.putNextEntry(new JarEntry("OSGI-INF/metatype/test.site.xml"));
            jar.write(METATYPE.getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        }
        return bytes.toByteArray();
    }

    private Object stored(String pid, String key) throws Exception {
        return cm.getConfiguration(pid, "?").getProperties().get(key);
    }

    @Test
    void aValidChangeIsAppliedWithItsTypeAfterASnapshot() throws Exception {
        var info = config.change(PID, Map.of("port", "9100", "requiredParts", "store, upstream", "secret", "s3cret"),
                Set.of());

        assertThat(stored(PID, "port")).isEqualTo(9100);
        assertThat((String[]) stored(PID, "requiredParts")).containsExactly("store", "upstream");
        assertThat(info.properties()).containsEntry("port", 9100).containsEntry("secret", "********");
        assertThat(info.file()).isEqualTo("file:/etc/chargeedge/test.site.cfg");
        assertThat(config.snapshots()).singleElement().satisfies(s -> {
            assertThat(s.reason()).isEqualTo("before changing " + PID);
            assertThat(s.pids()).contains(PID);
        });
    }

    @Test
    void anInvalidChangeIsRefusedWholeAndNamesEachProblem() throws Exception {
        assertThatThrownBy(() -> config.change(PID, Map.of("port", "70000", "unknownChargers", "Maybe",
                "colour", "blue"), Set.of()))
                .isInstanceOf(ManagementException.class)
                .satisfies(e -> assertThat(((ManagementException) e).reason())
                        .isEqualTo(ManagementException.Reason.INVALID))
                .hasMessageContaining("unknown key 'colour'")
                .hasMessageContaining("port = '70000'")
                .hasMessageContaining("unknownChargers = 'Maybe'");
        assertThat(stored(PID, "port")).isEqualTo("9000");
        assertThat(config.snapshots()).isEmpty();
    }

    @Test
    void aPidWithoutMetatypeCannotBeChanged() {
        assertThatThrownBy(() -> config.change("org.example.other", Map.of("a", "b"), Set.of()))
                .isInstanceOf(ManagementException.class).hasMessageContaining("no metatype describes");
    }

    @Test
    void aRollbackRestoresValuesTypesAndDeletesWhatCameSince() throws Exception {
        Hashtable<String, Object> typed = new Hashtable<>();
        typed.put("limits", new Integer[] {16, 32});
        typed.put("enabled", Boolean.TRUE);
        cm.getConfiguration("test.other", "?").update(typed);
        ConfigSnapshot before = config.snapshotInfo("before the experiment");

        config.change(PID, Map.of("port", "9200"), Set.of());
        cm.getConfiguration("test.other", "?").delete();
        cm.getConfiguration("test.added", "?").update(new Hashtable<>(Map.of("x", "y")));

        ConfigSnapshot undo = config.rollback(before.id());

        assertThat(stored(PID, "port")).isEqualTo("9000");
        assertThat((Integer[]) stored("test.other", "limits")).containsExactly(16, 32);
        assertThat(stored("test.other", "enabled")).isEqualTo(Boolean.TRUE);
        Configuration[] added = cm.listConfigurations("(service.pid=test.added)");
        assertThat(added).isNull();
        // and the rollback itself can be undone
        assertThat(undo.pids()).contains("test.added");
        config.rollback(undo.id());
        assertThat(stored(PID, "port")).isEqualTo(9200);
        assertThat(cm.listConfigurations("(service.pid=test.added)")).hasSize(1);
    }

    @Test
    void aJobsRestoreLeavesFilesAndTheManagementConfigurationAlone() throws Exception {
        cm.getConfiguration("test.management", "?").update(new Hashtable<>(Map.of("healthTimeoutSeconds", "60")));
        cm.getConfiguration("test.runtime", "?").update(new Hashtable<>(Map.of("level", "1")));
        String before = config.snapshot("before job 1");

        // while the job runs: the operator edits a file and the management settings; the new bundle changes its own
        Hashtable<String, Object> edited = new Hashtable<>(Map.of("port", "9300",
                ConfigManager.FILE_PROPERTY, "file:/etc/chargeedge/test.site.cfg"));
        cm.getConfiguration(PID, "?").update(edited);
        cm.getConfiguration("test.management", "?").update(new Hashtable<>(Map.of("healthTimeoutSeconds", "3")));
        cm.getConfiguration("test.runtime", "?").update(new Hashtable<>(Map.of("level", "2")));
        cm.getConfiguration("test.created", "?").update(new Hashtable<>(Map.of("x", "y")));

        config.restore(before);

        assertThat(stored(PID, "port")).isEqualTo("9300");
        assertThat(stored("test.management", "healthTimeoutSeconds")).isEqualTo("3");
        assertThat(stored("test.runtime", "level")).isEqualTo("1");
        assertThat(cm.listConfigurations("(service.pid=test.created)")).isNull();
    }

    @Test
    void anUnknownSnapshotIsNotFound() {
        assertThatThrownBy(() -> config.rollback("99")).isInstanceOf(ManagementException.class)
                .satisfies(e -> assertThat(((ManagementException) e).reason())
                        .isEqualTo(ManagementException.Reason.NOT_FOUND));
    }
}
