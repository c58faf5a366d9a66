package org.chargeedge.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.List;

import org.chargeedge.api.store.ForeignTransactionMessages;
import org.chargeedge.api.store.OutboundMessage;
import org.chargeedge.api.store.ParkedMessages;
import org.chargeedge.api.store.ParkedMessages.Parked;
import org.chargeedge.api.store.SiteStore;
import org.chargeedge.api.store.StoreHealth;
import org.chargeedge.api.store.StoredTransaction;
import org.chargeedge.ocpp.v16.AuthorizationStatus;
import org.junit.jupiter.api.Test;

class StoreShellCommandsTest {

    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    /** A store answering only the queries the commands make. */
    private static SiteStore store(StoreHealth health, List<StoredTransaction> open) {
        return store(health, open, List.of());
    }

    private static SiteStore store(StoreHealth health, List<StoredTransaction> open,
                                   List<ForeignTransactionMessages> foreign) {
        return (SiteStore) Proxy.newProxyInstance(SiteStore.class.getClassLoader(), new Class<?>[] {SiteStore.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "health" -> health;
                    case "highestTransactionId" -> 4711;
                    case "openTransactions" -> open;
                    case "foreignTransactionMessages" -> foreign;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    /** The parked messages of every charger: {@code all}. */
    private static ParkedMessages parked(List<Parked> all) {
        return (ParkedMessages) Proxy.newProxyInstance(ParkedMessages.class.getClassLoader(),
                new Class<?>[] {ParkedMessages.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "parked" -> all;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static StoreShellCommands commands(SiteStore store) {
        return new StoreShellCommands(store, parked(List.of()));
    }

    @Test
    void healthyAndFailingStoresAreTold() {
        assertThat(commands(store(new StoreHealth(true, null, T0, 2048 * 1024), List.of())).store())
                .startsWith("Store OK").contains("2048 KiB", "4711");
        assertThat(commands(store(new StoreHealth(false, "disk full", T0, 0), List.of())).store())
                .startsWith("Store FAILING: disk full");
    }

    @Test
    void openTransactionsAreListedWithUnknownStartsMarked() {
        StoredTransaction known = new StoredTransaction(7, "CP-1", 1, "TAG", 100, T0, null,
                AuthorizationStatus.Accepted, null, null, null, null, false);
        StoredTransaction unknown = new StoredTransaction(8, "CP-1", 2, "OTHER", null, null, null, null, null, null,
                null, null, true);
        String out = commands(store(new StoreHealth(true, null, T0, 0), List.of(known, unknown)))
                .transactions("CP-1");
        assertThat(out.lines()).hasSize(2);
        assertThat(out.lines().toList().get(0)).startsWith("7").contains("idTag TAG").doesNotContain("unknown");
        assertThat(out.lines().toList().get(1)).startsWith("8").contains("(start unknown)");
        assertThat(commands(store(new StoreHealth(true, null, T0, 0), List.of())).transactions("CP-2"))
                .isEqualTo("No open transaction for CP-2");
    }

    @Test
    void chargersThatNamedTransactionsNotTheirOwnAreCountedUnderTheStore() {
        String out = commands(store(new StoreHealth(true, null, T0, 0), List.of(),
                List.of(new ForeignTransactionMessages("CP-B", 2, 1, T0)))).store();
        assertThat(out.lines()).hasSize(3);
        assertThat(out.lines().toList().get(2)).contains("CP-B", "2 naming another charger's transaction",
                "1 naming one never issued", T0.toString());
        assertThat(commands(store(new StoreHealth(true, null, T0, 0), List.of())).store().lines()).hasSize(1);
    }

    @Test
    void parkedMessagesAreListedWithTheirReason() {
        Parked evidence = new Parked(new OutboundMessage("CP-B", 3, "StopTransaction",
                "{\"meterStop\":1200,\"transactionId\":17}", T0, 17),
                "StopTransaction of CP-B for transaction 17, which CP-A started", T0);
        String out = new StoreShellCommands(store(new StoreHealth(true, null, T0, 0), List.of()),
                parked(List.of(evidence))).parked("CP-B");
        assertThat(out.lines()).containsExactly(
                "3  StopTransaction  transaction 17  parked " + T0 + "  StopTransaction of CP-B for transaction 17,"
                        + " which CP-A started",
                "    {\"meterStop\":1200,\"transactionId\":17}");
        assertThat(commands(store(new StoreHealth(true, null, T0, 0), List.of())).parked("CP-C"))
                .isEqualTo("No parked message of CP-C");
    }
}
