package org.chargeedge.management.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HexFormat;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.chargeedge.management.internal.testbundle.MarkerActivator;

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
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", bsn);
        a.putValue("Bundle-Version", version);
        a.putValue("Bundle-Activator", MarkerActivator.class.getName());
        a.putValue("Import-Package", "org.osgi.framework");
        headers.forEach(a::putValue);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes, m)) {
            String path = MarkerActivator.class.getName().replace('.', '/') + ".class";
            jar.putNextEntry(new JarEntry(path));
            try (InputStream in = MarkerActivator.class.getClassLoader().getResourceAsStream(path)) {
                in.transferTo(jar);
            }
            jar.closeEntry();
            jar.putNextEntry(new JarEntry("version.txt"));
            jar.write(version.getBytes());
            jar.closeEntry();
        }
        return bytes.toByteArray();
    }

    static String sha256(byte[] content) {
        return HexFormat.of().formatHex(BundleJars.newSha256().digest(content));
    }
}
