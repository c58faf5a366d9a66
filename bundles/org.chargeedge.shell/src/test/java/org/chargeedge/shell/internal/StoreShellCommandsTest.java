package org.chargeedge.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.List;

import org.chargeedge.api.store.SiteStore;
import org.chargeedge.api.store.StoreHealth;
import org.chargeedge.api.store.StoredTransaction;
import org.chargeedge.ocpp.v16.AuthorizationStatus;
import org.junit.jupiter.api.Test;

class StoreShellCommandsTest {

    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    /** A store answering only the queries the commands make. */
    private static SiteStore store(StoreHealth health, List<StoredTransaction> open) {
        return (SiteStore) Proxy.newProxyInstance(SiteStore.class.getClassLoader(), new Class<?>[] {SiteStore.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "health" -> health;
                    case "highestTransactionId" -> 4711;
                    case "openTransactions" -> open;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void healthyAndFailingStoresAreTold() {
        assertThat(new StoreShellCommands(store(new StoreHealth(true, null, T0, 2048 * 1024), List.of())).store())
                .startsWith("Store OK").contains("2048 KiB", "4711");
        assertThat(new StoreShellCommands(store(new StoreHealth(false, "disk full", T0, 0), List.of())).store())
                .startsWith("Store FAILING: disk full");
    }

    @Test
    void openTransactionsAreListedWithUnknownStartsMarked() {
        StoredTransaction known = new StoredTransaction(7, "CP-1", 1, "TAG", 100, T0, null,
                AuthorizationStatus.Accepted, null, null, null, null, false);
        StoredTransaction unknown = new StoredTransaction(8, "CP-1", 2, "OTHER", null, null, null, null, null, null,
                null, null, true);
        String out = new StoreShellCommands(store(new StoreHealth(true, null, T0, 0), List.of(known, unknown)))
                .transactions("CP-1");
        assertThat(out.lines()).hasSize(2);
        assertThat(out.lines().toList().get(0)).startsWith("7").contains("idTag TAG").doesNotContain("unknown");
        assertThat(out.lines().toList().get(1)).startsWith("8").contains("(start unknown)");
        assertThat(new StoreShellCommands(store(new StoreHealth(true, null, T0, 0), List.of())).transactions("CP-2"))
                .isEqualTo("No open transaction for CP-2");
    }
}
