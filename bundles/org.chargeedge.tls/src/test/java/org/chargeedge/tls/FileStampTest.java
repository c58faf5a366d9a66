package org.chargeedge.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStampTest {

    @TempDir
    Path dir;

    @Test
    void unchangedFilesGiveEqualStamps() throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "one");
        Path key = dir.resolve("key.pem");
        FileStamp stamp = FileStamp.of(cert, key);
        assertThat(stamp.changed()).isFalse();
        assertThat(FileStamp.of(cert, key)).isEqualTo(stamp).hasSameHashCodeAs(stamp);
        assertThat(stamp.files()).containsExactly(cert, key);
        assertThat(stamp.toString()).contains("cert.pem (3 bytes", "key.pem (absent)");
    }

    @Test
    void writingReplacingOrCreatingAFileChangesTheStamp() throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "one");
        Path key = dir.resolve("key.pem");

        FileStamp before = FileStamp.of(cert, key);
        Files.writeString(key, "key");
        assertThat(before.changed()).as("a file that appeared").isTrue();

        before = FileStamp.of(cert, key);
        Files.writeString(cert, "two");
        Files.setLastModifiedTime(cert, FileTime.from(Instant.now().plusSeconds(5)));
        assertThat(before.changed()).as("same size, new time").isTrue();

        before = FileStamp.of(cert, key);
        Path renewed = Files.writeString(dir.resolve("cert.new"), "six");
        Files.setLastModifiedTime(renewed, Files.getLastModifiedTime(cert));
        Files.move(renewed, cert, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        assertThat(before.changed()).as("replaced by another file of the same size and time").isTrue();

        before = FileStamp.of(cert, key);
        Files.delete(key);
        assertThat(before.changed()).as("a file removed").isTrue();
    }

    @Test
    void aLinkMovedToAnotherFileChangesTheStamp() throws Exception {
        Path first = Files.writeString(dir.resolve("cert1.pem"), "one");
        Path second = Files.writeString(dir.resolve("cert2.pem"), "two");
        Files.setLastModifiedTime(second, Files.getLastModifiedTime(first));
        Path live = Files.createSymbolicLink(dir.resolve("live.pem"), first);
        FileStamp before = FileStamp.of(live);
        Files.delete(live);
        Files.createSymbolicLink(live, second);
        assertThat(before.changed()).isTrue();
    }
}
