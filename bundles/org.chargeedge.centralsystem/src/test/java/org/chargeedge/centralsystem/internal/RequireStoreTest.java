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

    @Test
    void byDefaultTheCentralSystemWorksAlone() throws Exception {
        harness = new CentralSystemHarness(dataDir);
        try (RawCharger cp = RawCharger.connectReady(harness, "RS-2")) {
            assertThat(cp.callAndAwait("StartTransaction", START).get(0).asInt()).isEqualTo(3);
        }
    }
}
