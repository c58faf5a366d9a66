package org.chargeedge.shell.internal;

import java.util.List;
import java.util.stream.Collectors;

import org.apache.felix.service.command.Descriptor;
import org.chargeedge.api.store.ForeignTransactionMessages;
import org.chargeedge.api.store.ParkedMessages;
import org.chargeedge.api.store.ParkedMessages.Parked;
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
        "osgi.command.function=transactions",
        "osgi.command.function=parked"})
public class StoreShellCommands {

    private final SiteStore store;
    private final ParkedMessages parked;

    @Activate
    public StoreShellCommands(@Reference SiteStore store, @Reference ParkedMessages parked) {
        this.store = store;
        this.parked = parked;
    }

    @Descriptor("show whether the store keeps what chargers send, its size on disk, and the chargers that named"
            + " transactions not their own")
    public String store() {
        StoreHealth h = store.health();
        StringBuilder out = new StringBuilder((h.ok() ? "Store OK" : "Store FAILING: " + h.problem()) + " since "
                + h.since() + ", " + (h.sizeBytes() / 1024) + " KiB on disk, highest transaction id "
                + store.highestTransactionId());
        List<ForeignTransactionMessages> foreign = store.foreignTransactionMessages();
        if (!foreign.isEmpty()) {
            out.append("\nStopTransaction/MeterValues naming a transaction not the charger's own (not applied, not sent"
                    + " to the CSMS; kept as evidence, listed by chargeedge:parked ID):");
            for (ForeignTransactionMessages f : foreign) {
                out.append(String.format("%n  %s: %d naming another charger's transaction, %d naming one never"
                        + " issued; last %s", f.chargePointId(), f.ofOtherChargers(), f.neverIssued(), f.lastAt()));
            }
        }
        return out.toString();
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

    @Descriptor("list a charger's parked messages: those the CSMS refused for good, and those kept as evidence"
            + " because they named a transaction not the charger's own")
    public String parked(@Descriptor("charge point id") String chargePointId) {
        List<Parked> all = parked.parked(chargePointId);
        if (all.isEmpty()) {
            return "No parked message of " + chargePointId;
        }
        // The payload as the charger sent it, on a line of its own: for evidence, what the charger claimed.
        return all.stream().map(p -> String.format("%d  %s  transaction %s  parked %s  %s%n    %s",
                p.message().sequence(), p.message().action(),
                p.message().transactionId() == null ? "-" : p.message().transactionId(), p.parkedAt(), p.reason(),
                p.message().payloadJson())).collect(Collectors.joining("\n"));
    }
}
