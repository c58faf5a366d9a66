package org.chargeedge.centralsystem.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransactionIdIssuerTest {

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("state").resolve("transaction-ids");
    }

    private static int stored(Path file) throws Exception {
        return Integer.parseInt(Files.readString(file, StandardCharsets.US_ASCII).trim());
    }

    @Test
    void idsAreUniqueAndIncreasingAcrossBlocks() throws Exception {
        TransactionIdIssuer issuer = new TransactionIdIssuer(file(), 7);
        int previous = 0;
        for (int i = 0; i < 100; i++) {
            int id = issuer.next();
            assertThat(id).isGreaterThan(previous);
            assertThat(stored(file())).as("reserved on disk before it is given out").isGreaterThan(id);
            previous = id;
        }
        assertThat(previous).isEqualTo(100);
    }

    @Test
    void idsTheStoreHasSeenAreNeverIssuedAgainEvenWhenTheFileWasLost() throws Exception {
        TransactionIdIssuer issuer = new TransactionIdIssuer(file(), 10);
        assertThat(issuer.next()).isEqualTo(1);
        issuer.advancePast(500);
        int id = issuer.next();
        assertThat(id).isEqualTo(501);
        assertThat(stored(file())).as("the new block is reserved on disk first").isGreaterThan(id);
        issuer.advancePast(3);
        assertThat(issuer.next()).as("a lower id changes nothing").isEqualTo(502);
    }

    @Test
    void firstIdIsPositiveAndTheFileIsCreatedWithItsDirectory() throws Exception {
        TransactionIdIssuer issuer = new TransactionIdIssuer(file(), 1000);
        assertThat(Files.exists(file())).isFalse();
        assertThat(issuer.next()).isEqualTo(1);
        assertThat(stored(file())).isEqualTo(1001);
        assertThat(Files.exists(file().resolveSibling("transaction-ids.tmp"))).isFalse();
    }

    @Test
    void aNewIssuerOnTheSameFileNeverReissuesAnId() throws Exception {
        Set<Integer> issued = new HashSet<>();
        int max = 0;
        for (int run = 0; run < 5; run++) {
            TransactionIdIssuer issuer = new TransactionIdIssuer(file(), 10);
            for (int i = 0; i < 25; i++) {
                int id = issuer.next();
                assertThat(issued.add(id)).as("id %d issued twice", id).isTrue();
                assertThat(id).isGreaterThan(max);
                max = id;
            }
        }
    }

    @Test
    void afterACrashMidBlockTheNextIssuerStartsAfterTheWholeReservedBlock() throws Exception {
        TransactionIdIssuer crashed = new TransactionIdIssuer(file(), 10);
        List<Integer> before = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            before.add(crashed.next());
        }
        // The process dies here: the old issuer is abandoned in the middle of its block.
        TransactionIdIssuer restarted = new TransactionIdIssuer(file(), 10);
        int first = restarted.next();
        assertThat(first).isGreaterThan(before.get(2));
        assertThat(first).as("the rest of the crashed block is skipped, not reused").isEqualTo(11);
        // Even ids the crashed issuer could still have given out from its block are below the restart's.
        assertThat(first).isGreaterThan(10);
    }

    @Test
    void concurrentCallersGetDistinctIds() throws Exception {
        TransactionIdIssuer issuer = new TransactionIdIssuer(file(), 5);
        Set<Integer> ids = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 250; i++) {
                        ids.add(issuer.next());
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(ids).hasSize(1000);
        assertThat(new TransactionIdIssuer(file(), 5).next()).isGreaterThan(1000);
    }

    @Test
    void corruptFileIsReported() throws Exception {
        Files.createDirectories(file().getParent());
        Files.writeString(file(), "12a\n");
        assertThatThrownBy(() -> new TransactionIdIssuer(file(), 10))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("corrupt")
                .hasMessageContaining(file().toString());
    }

    @Test
    void emptyFileIsReportedAsCorrupt() throws Exception {
        Files.createDirectories(file().getParent());
        Files.writeString(file(), "");
        assertThatThrownBy(() -> new TransactionIdIssuer(file(), 10))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("corrupt");
    }

    @Test
    void storedValueIsHonouredAndWhitespaceTolerated() throws Exception {
        Files.createDirectories(file().getParent());
        Files.writeString(file(), " 5000\n");
        assertThat(new TransactionIdIssuer(file(), 10).next()).isEqualTo(5000);
        assertThat(stored(file())).isEqualTo(5010);
    }

    @Test
    void exhaustionIsReportedInsteadOfWrappingAround() throws Exception {
        Files.createDirectories(file().getParent());
        Files.writeString(file(), Integer.toString(Integer.MAX_VALUE - 5));
        TransactionIdIssuer issuer = new TransactionIdIssuer(file(), 10);
        assertThatThrownBy(issuer::next).isInstanceOf(IllegalStateException.class).hasMessageContaining("exhausted");
    }
}
