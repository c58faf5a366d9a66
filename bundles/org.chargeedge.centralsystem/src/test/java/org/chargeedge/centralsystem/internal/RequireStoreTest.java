package org.chargeedge.centralsystem.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.chargeedge.api.store.SiteStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RequireStoreTest {

    private static final String START = "{\"connectorId\":1,\"idTag\":\"TAG\",\"meterStart\":0,"
            + "\"timestamp\":\"2026-11-24T10:00:00Z\"}";

    @TempDir
    Path dataDir;

    private CentralSystemHarness harness;

    @AfterEach
    void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    /** A store that has seen nothing; the central system only asks it for ids and open transactions. */
    private static SiteStore emptyStore() {
        return (SiteStore) Proxy.newProxyInstance(SiteStore.class.getClassLoader(), new Class<?>[] {SiteStore.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "highestTransactionId" -> 0;
                    case "openTransactions" -> List.of();
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void withoutARunningStoreTransactionMessagesAreRefusedAndOthersAnswered() throws Exception {
        harness = new CentralSystemHarness(dataDir, Map.of("requireStore", true));
        try (RawCharger cp = RawCharger.connectReady(harness, "RS-1")) {
            String id = cp.call("StartTransaction", START);
            JsonNode error = cp.expectCallError(id);
            assertThat(error.get(2).asText()).isEqualTo("InternalError");
            assertThat(error.get(3).asText()).contains("store is not running");
            cp.assertHeartbeatAnswered();

            SiteStore store = emptyStore();
            harness.centralSystem.setSiteStore(store);
            JsonNode answer = cp.callAndAwait("StartTransaction", START);
            assertThat(answer.get(0).asInt()).isEqualTo(3);
            assertThat(answer.get(2).get("transactionId").asInt()).isPositive();

            harness.centralSystem.unsetSiteStore(store);
            assertThat(cp.expectCallError(cp.call("StartTransaction", START)).get(2).asText())
                    .isEqualTo("InternalError");
        }
    }

    /**
     * After a restart the chargers may connect before the store is bound (the central system listens first): a
     * session that ran through the restart is known once the store comes, not only at the charger's next
     * connection.
     */
    @Test
    void aChargerThatConnectedBeforeTheStoreSeesItsSessionFromBeforeTheRestartOnceTheStoreComes() throws Exception {
        harness = new CentralSystemHarness(dataDir);
        org.chargeedge.api.store.StoredTransaction open = new org.chargeedge.api.store.StoredTransaction(77, "RS-3",
                1, "TAG", 1000, java.time.Instant.parse("2026-11-24T09:00:00Z"), null,
                org.chargeedge.ocpp.v16.AuthorizationStatus.Accepted, null, null, null, null, false);
        try (RawCharger cp = RawCharger.connectReady(harness, "RS-3")) {
            assertThat(harness.siteView().charger("RS-3").orElseThrow().openTransactions()).isEmpty();
            harness.centralSystem.setSiteStore((SiteStore) Proxy.newProxyInstance(SiteStore.class.getClassLoader(),
                    new Class<?>[] {SiteStore.class}, (proxy, method, args) -> switch (method.getName()) {
                        case "highestTransactionId" -> 77;
                        case "openTransactions" -> "RS-3".equals(args[0]) ? List.of(open) : List.of();
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> throw new UnsupportedOperationException(method.getName());
                    }));
            assertThat(harness.siteView().charger("RS-3").orElseThrow().openTransactions())
                    .extracting(org.chargeedge.api.charger.TransactionInfo::transactionId).containsExactly(77);
        }
    }

    @Test
    void byDefaultTheCentralSystemWorksAlone() throws Exception {
        harness = new CentralSystemHarness(dataDir);
        try (RawCharger cp = RawCharger.connectReady(harness, "RS-2")) {
            assertThat(cp.callAndAwait("StartTransaction", START).get(0).asInt()).isEqualTo(3);
        }
    }
}
