package org.chargeedge.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.chargeedge.management.internal.ReleaseDescriptor;
import org.chargeedge.management.internal.ReleaseSignature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tool end to end: a key, a signed release directory, and what a gateway reads from it. */
class ReleaseToolTest {

    @TempDir
    Path dir;

    private Path bundle(String bsn, String version) throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().putValue("Bundle-SymbolicName", bsn);
        m.getMainAttributes().putValue("Bundle-Version", version);
        Path jar = dir.resolve(bsn + "-" + version + ".jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, m)) {
            j.flush();
        }
        return jar;
    }

    @Test
    void signsARelease() throws Exception {
        ReleaseTool.run(new String[] {"keygen", dir.resolve("k.pem").toString(), dir.resolve("k.pub.pem").toString()});
        Path jar = bundle("org.example.one", "1.2.3");

        String report = ReleaseTool.run(new String[] {"sign", "--key", dir.resolve("k.pem").toString(), "--channel",
                "pilot", "--release", "42", "--out", dir.resolve("site").toString(), jar.toString()});

        assertThat(report).contains("Release 42 of channel 'pilot'").contains("org.example.one 1.2.3");
        assertThat(dir.resolve("site/org.example.one-1.2.3.jar")).hasSameBinaryContentAs(jar);
        ReleaseDescriptor d = ReleaseSignature.verify(Files.readString(dir.resolve("site/release.jws")),
                ReleaseSignature.readPublicKey(dir.resolve("k.pub.pem")));
        assertThat(d.channel()).isEqualTo("pilot");
        assertThat(d.release()).isEqualTo(42);
        assertThat(d.allowDowngrade()).isFalse();
        assertThat(d.bundles()).singleElement().satisfies(e -> {
            assertThat(e.url()).isEqualTo("org.example.one-1.2.3.jar");
            assertThat(e.version()).isEqualTo("1.2.3");
        });
        assertThat(ReleaseTool.run(new String[] {"verify", "--key", dir.resolve("k.pub.pem").toString(),
                dir.resolve("site/release.jws").toString()})).startsWith("Signature OK");
    }

    @Test
    void neverOverwritesAKeyNorSignsWhatIsNoBundle() throws Exception {
        ReleaseTool.run(new String[] {"keygen", dir.resolve("k.pem").toString(), dir.resolve("k.pub.pem").toString()});
        assertThatThrownBy(() -> ReleaseTool.run(new String[] {"keygen", dir.resolve("k.pem").toString(),
                dir.resolve("x.pem").toString()})).hasMessageContaining("never overwritten");
        Path notABundle = Files.writeString(dir.resolve("readme.jar"), "text");
        assertThatThrownBy(() -> ReleaseTool.run(new String[] {"sign", "--key", dir.resolve("k.pem").toString(),
                "--channel", "stable", "--release", "1", "--out", dir.resolve("site").toString(),
                notABundle.toString()})).isInstanceOf(IOException.class).hasMessageContaining("not a jar");
    }
}
