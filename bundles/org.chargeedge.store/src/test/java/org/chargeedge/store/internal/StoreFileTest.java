package org.chargeedge.store.internal;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A real store in a file of the test's own, opened before each test, closed after it, and reopened on demand. */
abstract class StoreFileTest {

    @TempDir
    Path dir;
    Path file;
    SqliteStore store;

    @BeforeEach
    void open() throws Exception {
        file = dir.resolve("chargeedge.db");
        store = SqliteStore.open(file, StoreSettings.defaults());
    }

    @AfterEach
    void close() {
        store.close();
    }

    /** Closes the store and opens the same file again, as a restart of the gateway does. */
    void reopen() throws Exception {
        store.close();
        store = SqliteStore.open(file, StoreSettings.defaults());
    }
}
