package org.chargeedge.store.internal;

import java.nio.file.Path;

/** Opens the real store outside the framework, for the tests of the bundles that use it (upstream, balancer, http). */
public final class TestStores {

    private TestStores() {
    }

    public static SqliteStore open(Path file) throws Exception {
        return SqliteStore.open(file, StoreSettings.defaults());
    }

    public static void close(SqliteStore store) {
        store.close();
    }

    public static StoreCallHandler handler(SqliteStore store) {
        return new StoreCallHandler(store);
    }

    public static final int HANDLER_RANKING = StoreCallHandler.RANKING;
}
