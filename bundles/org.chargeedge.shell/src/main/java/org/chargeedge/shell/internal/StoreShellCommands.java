package org.chargeedge.shell.internal;

import java.util.List;
import java.util.stream.Collectors;

import org.apache.felix.service.command.Descriptor;
import org.chargeedge.api.store.SiteStore;
import org.chargeedge.api.store.StoreHealth;
import org.chargeedge.api.store.StoredTransaction;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Gogo commands about the durable store: is it keeping what the chargers send? */
@Component(service = StoreShellCommands.class, property = {
        "osgi.command.scope=chargeedge",
        "osgi.command.function=store",
        "osgi.command.function=transactions"})
public class StoreShellCommands {

    private final SiteStore store;

    @Activate
    public StoreShellCommands(@Reference SiteStore store) {
        this.store = store;
    }

    @Descriptor("show whether the store keeps what chargers send, and its size on disk")
    public String store() {
        StoreHealth h = store.health();
        return (h.ok() ? "Store OK" : "Store FAILING: " + h.problem()) + " since " + h.since()
                + ", " + (h.sizeBytes() / 1024) + " KiB on disk, highest transaction id "
                + store.highestTransactionId();
    }

    @Descriptor("list the open transactions the store knows for a charger")
    public String transactions(@Descriptor("charge point id") String chargePointId) {
        List<StoredTransaction> open = store.openTransactions(chargePointId);
        if (open.isEmpty()) {
            return "No open transaction for " + chargePointId;
        }
        return open.stream().map(t -> String.format("%d  connector %d  idTag %s  started %s  meter start %s Wh%s",
                t.transactionId(), t.connectorId(), t.idTag(), t.startedAt(), t.meterStart(),
                t.startUnknown() ? "  (start unknown)" : "")).collect(Collectors.joining("\n"));
    }
}
