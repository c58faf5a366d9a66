package org.chargeedge.management.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.chargeedge.management.internal.testbundle.FailingComponent;
import org.chargeedge.management.internal.testbundle.MarkerActivator;
import org.chargeedge.management.internal.testbundle.NullServiceFactory;

/** Bundles written at test time: a manifest by hand, and the marker activator's class file. */
final class TestBundles {

    private TestBundles() {
    }

    /** A bundle whose activator registers a marker service, healthy or not. */
    static byte[] marker(String bsn, String version, boolean healthy) throws IOException {
        return marker(bsn, version, Map.of("Test-Healthy", Boolean.toString(healthy)));
    }

    /** A marker bundle with extra headers (Import-Package, Test-Fail-Start, ...). */
    static byte[] marker(String bsn, String version, Map<String, String> headers) throws IOException {
        return jar(bsn, version, headers, Map.of());
    }

    /**
     * A marker bundle that also has a Declarative Services component, {@link FailingComponent}, which fails to
     * activate when the header {@code Test-Fail-Activate} is present.
     */
    static byte[] withComponent(String bsn, String version, Map<String, String> headers) throws IOException {
        Map<String, String> all = new java.util.HashMap<>(headers);
        all.put("Service-Component", "OSGI-INF/component.xml");
        String xml = "<scr:component xmlns:scr=\"http://www.osgi.org/xmlns/scr/v1.3.0\" name=\"test.component\""
                + " immediate=\"true\" activate=\"activate\"><implementation class=\""
                + FailingComponent.class.getName() + "\"/></scr:component>";
        return jar(bsn, version, all, Map.of("OSGI-INF/component.xml", xml.getBytes(StandardCharsets.UTF_8),
                classPath(FailingComponent.class), classBytes(FailingComponent.class)));
    }

    private static byte[] jar(String bsn, String version, Map<String, String> headers, Map<String, byte[]> entries)
            throws IOException {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", bsn);
        a.putValue("Bundle-Version", version);
        a.putValue("Bundle-Activator", MarkerActivator.class.getName());
        a.putValue("Import-Package", "org.osgi.framework");
        headers.forEach(a::putValue);
        Map<String, byte[]> all = new TreeMap<>(entries);
        all.put(classPath(MarkerActivator.class), classBytes(MarkerActivator.class));
        all.put(classPath(NullServiceFactory.class), classBytes(NullServiceFactory.class));
        all.put("version.txt", version.getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes, m)) {
            for (Map.Entry<String, byte[]> e : all.entrySet()) {
                jar.putNextEntry(new JarEntry(e.getKey()));
                jar.write(e.getValue());
                jar.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static String classPath(Class<?> c) {
        return c.getName().replace('.', '/') + ".class";
    }

    private static byte[] classBytes(Class<?> c) throws IOException {
        try (InputStream in = c.getClassLoader().getResourceAsStream(classPath(c))) {
            return in.readAllBytes();
        }
    }

    static String sha256(byte[] content) {
        return HexFormat.of().formatHex(BundleJars.newSha256().digest(content));
    }
}
