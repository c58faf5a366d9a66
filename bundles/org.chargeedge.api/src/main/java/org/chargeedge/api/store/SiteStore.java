package org.chargeedge.api.store;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import org.chargeedge.ocpp.v16.BootNotificationRequest;
import org.chargeedge.ocpp.v16.IdTagInfo;
import org.chargeedge.ocpp.v16.Measurand;
import org.chargeedge.ocpp.v16.MeterValuesRequest;
import org.chargeedge.ocpp.v16.StartTransactionRequest;
import org.chargeedge.ocpp.v16.StatusNotificationRequest;
import org.chargeedge.ocpp.v16.StopTransactionRequest;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Durable record of what the site's chargers did. Writes never block: each
 * returns a stage that completes when the data is committed and synced to
 * disk, or fails with a {@link StoreException} when it cannot be kept (disk
 * full, database failing); a caller must then not acknowledge the data.
 */
@ProviderType
public interface SiteStore {

    /**
     * Records a transaction the central system started under {@code transactionId}, and journals
     * its StartTransaction for the CSMS in the same commit. A StartTransaction the store already
     * holds (same charger, connector, idTag, meter start and timestamp: a charger that lost the
     * answer sends it again) is not recorded twice: the stage completes with the id it was first
     * given, which the charger must get. Otherwise it completes with {@code transactionId}.
     */
    CompletionStage<Integer> transactionStarted(String chargePointId, int transactionId,
                                                StartTransactionRequest request, IdTagInfo idTagInfo,
                                                Instant receivedAt);

    /**
     * Records every sampled value of the request. A request identical to the last
     * one recorded for the same charger and connector (a charger sending it again
     * because it lost the answer: same sampled values, same timestamps) is the same
     * reading and is not recorded twice; its stage completes all the same. A request recorded is
     * journaled for the CSMS in the same commit.
     *
     * <p>A request naming a transaction that another charger started, or a transaction id the store
     * has no record of, is not recorded: none of its values is attached to that transaction and it
     * is not journaled. It is kept as evidence instead, among the charger's
     * {@link ParkedMessages#parked parked messages}, and counted
     * ({@link #foreignTransactionMessages}); the stage completes normally, once that is durable, so
     * the charger gets its answer. A request without a transaction id is always recorded.
     */
    CompletionStage<Void> meterValues(String chargePointId, MeterValuesRequest request, Instant receivedAt);

    /**
     * Records the end of a transaction, with its transaction data. The first stop of a transaction
     * is journaled for the CSMS in the same commit; a stop sent again is neither recorded nor
     * journaled twice.
     *
     * <p>Only the charger that started a transaction stops it. A stop naming a transaction another
     * charger started, or a transaction id the store has no record of (the gateway never issued
     * it), changes no transaction and is not journaled: it is kept as evidence among the charger's
     * {@link ParkedMessages#parked parked messages} (a resend of it once) and counted
     * ({@link #foreignTransactionMessages}), and the stage completes normally once that is durable,
     * so the charger gets its answer. The owner's own stop is recorded as if the other had never
     * come. (Before 2.1 the store recorded a stop of an unknown transaction as a transaction with
     * {@link StoredTransaction#startUnknown()}; databases may still hold such records.)
     */
    CompletionStage<Void> transactionStopped(String chargePointId, StopTransactionRequest request,
                                             Instant receivedAt);

    CompletionStage<Void> chargerBooted(String chargePointId, BootNotificationRequest request, Instant receivedAt);

    CompletionStage<Void> connectorStatus(String chargePointId, StatusNotificationRequest request,
                                          Instant receivedAt);

    Optional<StoredTransaction> transaction(int transactionId);

    /** The last BootNotification the charger sent, as recorded; empty when it never booted here. */
    Optional<BootNotificationRequest> lastBoot(String chargePointId);

    /** Transactions started and not stopped, of one charger, oldest first. */
    List<StoredTransaction> openTransactions(String chargePointId);

    /** Open transactions of one idTag on any charger (for ConcurrentTx). */
    List<StoredTransaction> openTransactionsOf(String idTag);

    /** The highest transaction id ever recorded, 0 when none. */
    int highestTransactionId();

    /**
     * The chargers that sent StopTransaction or MeterValues naming a transaction not their own,
     * with how many, in charge point id order; empty when none ever did (since 2.1).
     */
    List<ForeignTransactionMessages> foreignTransactionMessages();

    StoreHealth health();

    /**
     * How long the store's commits took since it opened, and how many there were (since 2.3). The
     * default, for stores that do not measure, is {@link StoreStatistics#NONE}.
     */
    default StoreStatistics statistics() {
        return StoreStatistics.NONE;
    }

    /**
     * The transactions that started in {@code [from, to)} (the charger's start time), of one charger
     * and of one idTag when these are not null, oldest first: what a site bills its users from.
     * Transactions whose start is unknown are left out.
     *
     * <p>The default reads every transaction id up to {@link #highestTransactionId()} one by one;
     * a store with an index on the start time should answer with one query instead (since 2.2).
     */
    default List<StoredTransaction> transactionsStarted(Instant from, Instant to, String chargePointId,
                                                        String idTag) {
        List<StoredTransaction> found = new ArrayList<>();
        for (int id = highestTransactionId(); id > 0; id--) {
            transaction(id).filter(t -> t.startedAt() != null && !t.startedAt().isBefore(from)
                            && t.startedAt().isBefore(to)
                            && (chargePointId == null || chargePointId.equals(t.chargePointId()))
                            && (idTag == null || idTag.equals(t.idTag())))
                    .ifPresent(found::add);
        }
        found.sort(Comparator.comparing(StoredTransaction::startedAt)
                .thenComparingInt(StoredTransaction::transactionId));
        return found;
    }

    /** The most sampled values {@link #meterValueHistory} returns at once (since 2.3). */
    int MAX_METER_VALUE_HISTORY = 10_000;

    /**
     * The sampled values one charger sent (in MeterValues and in StopTransaction's transaction data)
     * that were sampled in {@code [from, to)} by the charger's clock, newest first: the newest
     * {@code limit} of them when there are more. Values of one reading (one MeterValue) keep the order
     * the charger sent them in. Values retention pruned are gone (see the store's
     * {@code meterValueRetentionDays}). Since 2.3.
     *
     * @param connectorId only this connector's values; null for every connector
     * @param measurand only values of this measurand (a value that names none is an
     *        {@code Energy.Active.Import.Register}, as OCPP says); null for every measurand
     * @param limit at most this many values, 1 to {@link #MAX_METER_VALUE_HISTORY}
     * @throws IllegalArgumentException when {@code from} is not before {@code to} or the limit is out of range
     */
    List<StoredMeterValue> meterValueHistory(String chargePointId, Integer connectorId, Measurand measurand,
                                             Instant from, Instant to, int limit);

    /**
     * A commit of nothing through the writer, after the writes queued before it: completes once it
     * is committed, so a writer that no longer commits (a stuck thread) shows as a stage that never
     * completes. For health checks such as the service watchdog; costs no disk write (since 2.2).
     */
    CompletionStage<Void> writeProbe();

    /**
     * Writes a consistent copy of the database, as it was at one moment, to {@code target} while
     * chargers' writes go on: it neither stops nor delays commits. {@code target} must not exist.
     * Blocks the caller until the copy is written and synced (since 2.2).
     *
     * @return the copy's size in bytes
     * @throws StoreException when the copy cannot be written (the target exists, no space, ...)
     */
    long backup(Path target);
}
