package org.chargeedge.store.internal;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A store on a fresh database file in a temporary directory for each test, closed after it. */
abstract class StoreTest {

    @TempDir
    Path dir;
    Path file;
    SqliteStore store;

    /** The settings the store of each test opens with. */
    StoreSettings settings() {
        return StoreSettings.defaults();
    }

    @BeforeEach
    void openStore() throws Exception {
        file = dir.resolve("store").resolve("chargeedge.db");
        store = SqliteStore.open(file, settings());
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    void reopen() throws Exception {
        store.close();
        store = SqliteStore.open(file, settings());
    }
}
