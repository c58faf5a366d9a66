package org.chargeedge.store.internal;

import static org.chargeedge.store.internal.Sql.bind;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;

import org.chargeedge.api.authorization.AuthorizationRepository;
import org.chargeedge.api.store.CsmsChargingProfile;
import org.chargeedge.api.store.CsmsChargingProfiles;
import org.chargeedge.api.store.ForeignTransactionMessages;
import org.chargeedge.api.store.OutboundMessage;
import org.chargeedge.api.store.BalancerMemory;
import org.chargeedge.api.store.OutboundJournal;
import org.chargeedge.api.store.ParkedMessages;
import org.chargeedge.api.store.SiteStore;
import org.chargeedge.api.store.StoreException;
import org.chargeedge.api.store.StoreHealth;
import org.chargeedge.api.store.StoreStatistics;
import org.chargeedge.api.store.StoredMeterValue;
import org.chargeedge.api.store.StoredTransaction;
import org.chargeedge.api.store.TransactionIdMap;
import org.chargeedge.ocpp.rpc.FrameException;
import org.chargeedge.ocpp.rpc.OcppJsonCodec;
import org.chargeedge.ocpp.rpc.OcppValidationException;
import org.chargeedge.ocpp.rpc.RpcFrame;
import org.chargeedge.ocpp.v16.Action;
import org.chargeedge.ocpp.v16.AuthorizationData;
import org.chargeedge.ocpp.v16.AuthorizationStatus;
import org.chargeedge.ocpp.v16.BootNotificationRequest;
import org.chargeedge.ocpp.v16.IdTagInfo;
import org.chargeedge.ocpp.v16.Location;
import org.chargeedge.ocpp.v16.Measurand;
import org.chargeedge.ocpp.v16.MeterValue;
import org.chargeedge.ocpp.v16.MeterValuesRequest;
import org.chargeedge.ocpp.v16.Phase;
import org.chargeedge.ocpp.v16.ReadingContext;
import org.chargeedge.ocpp.v16.Reason;
import org.chargeedge.ocpp.v16.SampledValue;
import org.chargeedge.ocpp.v16.SetChargingProfileRequest;
import org.chargeedge.ocpp.v16.StartTransactionRequest;
import org.chargeedge.ocpp.v16.StatusNotificationRequest;
import org.chargeedge.ocpp.v16.StopTransactionRequest;
import org.chargeedge.ocpp.v16.UnitOfMeasure;
import org.chargeedge.ocpp.v16.ValueFormat;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The site store on SQLite: one database file in WAL mode with {@code synchronous=FULL}, so a
 * write is on disk (WAL synced) before its stage completes and survives a power cut.
 *
 * <p>Threads: every write goes through the {@link Writer}, whose one thread owns the write
 * connection and commits in groups; reads run on the caller's thread on a connection of the
 * {@link ReadPool}. The component's fields are set on activation and not changed after.
 */
@Component(configurationPid = SqliteStore.PID,
        service = {SiteStore.class, OutboundJournal.class, AuthorizationRepository.class, TransactionIdMap.class,
                ParkedMessages.class, CsmsChargingProfiles.class, BalancerMemory.class}, immediate = true)
@Designate(ocd = Config.class)
public class SqliteStore implements SiteStore, OutboundJournal, AuthorizationRepository, TransactionIdMap,
        ParkedMessages, CsmsChargingProfiles, BalancerMemory {

    static final String PID = "org.chargeedge.store";
    static final String DATA_DIR_PROPERTY = "chargeedge.data.dir";

    private static final Logger LOG = LoggerFactory.getLogger(SqliteStore.class);
    private static final int JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024;
    /** SQLite's own ceiling, used when no size limit is configured. */
    private static final long UNLIMITED_PAGES = 4294967294L;

    private static final String TRANSACTION_COLUMNS = "transaction_id, charge_point_id, connector_id, id_tag,"
            + " meter_start, started_at, reservation_id, start_status, meter_stop, stopped_at, stop_id_tag, reason,"
            + " start_unknown FROM charge_transaction";
    private static final String SEEN = "INSERT INTO charger (charge_point_id, last_seen_at) VALUES (?, ?)"
            + " ON CONFLICT (charge_point_id) DO UPDATE SET last_seen_at = max(last_seen_at, excluded.last_seen_at)";
    private static final String INSERT_METER_VALUE = "INSERT INTO meter_value (charge_point_id, connector_id,"
            + " transaction_id, sampled_at, value, context, format, measurand, phase, location, unit, received_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    /** Encodes requests canonically for their digests; thread-safe. */
    private static final OcppJsonCodec CODEC = new OcppJsonCodec();

    private final Clock clock = Clock.systemUTC();
    private Path file;
    private int busyTimeoutMillis;
    private Writer writer;
    private ReadPool readers;
    private BalancerTables balancerTables;

    @Activate
    void activate(Config config, BundleContext context) throws SQLException, IOException {
        Path path;
        if (!config.databasePath().isBlank()) {
            path = Path.of(config.databasePath());
        } else {
            // The gateway's data directory outlives a reinstallation of this bundle; the bundle's own
            // data area is the fallback for runtimes without one.
            String dataDir = context.getProperty(DATA_DIR_PROPERTY);
            path = dataDir != null ? Path.of(dataDir, "store", "chargeedge.db")
                    : context.getDataFile("chargeedge.db").toPath();
        }
        start(path, StoreSettings.from(config));
    }

    @Deactivate
    void deactivate() {
        close();
    }

    /** A store on {@code file}, outside the framework (tests). */
    static SqliteStore open(Path file, StoreSettings settings) throws SQLException, IOException {
        SqliteStore store = new SqliteStore();
        store.start(file, settings);
        return store;
    }

    /** Creates or opens the database, brings its schema up to date and starts the writer. */
    void start(Path file, StoreSettings settings) throws SQLException, IOException {
        this.file = file.toAbsolutePath();
        this.busyTimeoutMillis = settings.busyTimeoutMillis();
        Files.createDirectories(this.file.getParent());
        Connection write = connect(this.file, settings.busyTimeoutMillis());
        List<Connection> reads = new ArrayList<>();
        int version;
        try {
            Migrations.load().migrate(write);
            version = Migrations.version(write);
            limitSize(write, settings.maxDatabaseSizeBytes());
            for (int i = 0; i < settings.readConnections(); i++) {
                Connection read = connect(this.file, settings.busyTimeoutMillis());
                reads.add(read);
                try (Statement st = read.createStatement()) {
                    st.execute("PRAGMA query_only = ON");
                }
            }
        } catch (SQLException | RuntimeException e) {
            write.close();
            for (Connection c : reads) {
                c.close();
            }
            LOG.error("Store {} cannot be opened: {}", this.file, e.getMessage());
            throw e;
        }
        readers = new ReadPool(reads);
        writer = new Writer(write, settings.maxBatchSize(), new Retention(
                new MeterValuePruner(settings.meterValueRetention(), settings.pruneBatchSize(),
                        settings.upstreamConfigured(), clock),
                new JournalPruner(settings.meterValueRetention(), settings.pruneBatchSize(), clock)),
                settings.pruneInterval(), clock);
        balancerTables = new BalancerTables(writer, readers);
        LOG.info("Store open: {} (schema version {}, WAL, synchronous=FULL)", this.file, version);
    }

    void close() {
        if (writer != null) {
            writer.close();
            readers.close();
        }
    }

    static Connection connect(Path file, int busyTimeoutMillis) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        // FULL: the WAL is synced at every commit, so a commit survives a power cut, not only a crash.
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout(busyTimeoutMillis);
        // Meter values and stops recorded before schema version 5 may name transactions the store never saw start.
        config.enforceForeignKeys(false);
        // After a checkpoint, the WAL is truncated to this size instead of keeping its peak size.
        config.setJournalSizeLimit(JOURNAL_SIZE_LIMIT);
        // The driver would run "SELECT last_insert_rowid()" (a statement prepared anew) after every INSERT
        // for getGeneratedKeys, which the store never calls: on the writer thread, the store's bottleneck.
        config.setGetGeneratedKeys(false);
        // The data source, not DriverManager: DriverManager cannot see the driver across bundle class loaders.
        SQLiteDataSource source = new SQLiteDataSource(config);
        source.setUrl("jdbc:sqlite:" + file);
        return source.getConnection();
    }

    /** Caps the database at {@code bytes} (0: no cap); writes beyond it fail as on a full disk. */
    private static void limitSize(Connection connection, long bytes) throws SQLException {
        try (Statement st = connection.createStatement()) {
            long pages = UNLIMITED_PAGES;
            if (bytes > 0) {
                try (ResultSet rs = st.executeQuery("PRAGMA page_size")) {
                    pages = Math.max(1, bytes / (rs.next() ? rs.getLong(1) : 4096));
                }
            }
            st.execute("PRAGMA max_page_count = " + pages);
        }
    }

    /** Changes the size cap while running; completes once the writer applied it. */
    CompletionStage<Void> limitSize(long bytes) {
        return writer.submit(s -> {
            limitSize(s.connection(), bytes);
            return null;
        });
    }

    Writer writer() {
        return writer;
    }

    Path file() {
        return file;
    }

    // ---- SiteStore: writes ------------------------------------------------------------------

    @Override
    public CompletionStage<Integer> transactionStarted(String chargePointId, int transactionId,
                                                       StartTransactionRequest request, IdTagInfo idTagInfo,
                                                       Instant receivedAt) {
        String frame = CODEC.encodeCall("", request);
        return writer.submit(s -> {
            Integer resent = sameStartRecorded(s, chargePointId, request);
            if (resent != null) {
                LOG.info("{}: StartTransaction sent again; it keeps its transaction id {}", chargePointId, resent);
                seen(s, chargePointId, receivedAt);
                return resent;
            }
            StoredTransaction existing = find(s, transactionId);
            if (existing != null) {
                LOG.error("BUG: transaction id {} was given to {} for a StartTransaction on connector {}, but the"
                        + " store already has it as {}. Refusing it: the charger sends StartTransaction again"
                        + " and gets a new id.", transactionId, chargePointId, request.connectorId(), existing);
                throw new StoreException("transaction id " + transactionId + " is already used by another"
                        + " transaction", null);
            }
            bind(s.prepare("INSERT INTO charge_transaction (transaction_id, charge_point_id, connector_id, id_tag,"
                    + " meter_start, started_at, reservation_id, start_status, start_parent_id_tag,"
                    + " start_received_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'Started')"),
                    transactionId, chargePointId, request.connectorId(), request.idTag(), request.meterStart(),
                    request.timestamp(), request.reservationId(), idTagInfo.status(), idTagInfo.parentIdTag(),
                    receivedAt).executeUpdate();
            journal(s, chargePointId, request.action().name(), payload(frame), transactionId, receivedAt);
            seen(s, chargePointId, receivedAt);
            return transactionId;
        });
    }

    /** The id of the same StartTransaction recorded before (a resend after a lost answer), or null. */
    private static Integer sameStartRecorded(Writer.Session s, String chargePointId, StartTransactionRequest r)
            throws SQLException {
        try (ResultSet rs = bind(s.prepare("SELECT " + TRANSACTION_COLUMNS + " WHERE charge_point_id = ?"
                + " AND connector_id = ? AND started_at = ?"), chargePointId, r.connectorId(), r.timestamp())
                .executeQuery()) {
            while (rs.next()) {
                StoredTransaction t = transaction(rs);
                if (sameStart(t, chargePointId, r)) {
                    return t.transactionId();
                }
            }
        }
        return null;
    }

    private static boolean sameStart(StoredTransaction t, String chargePointId, StartTransactionRequest r) {
        return !t.startUnknown() && t.chargePointId().equals(chargePointId) && t.connectorId() == r.connectorId()
                && r.idTag().equalsIgnoreCase(t.idTag()) && Objects.equals(t.meterStart(), r.meterStart())
                && r.timestamp().truncatedTo(ChronoUnit.MILLIS).equals(t.startedAt());
    }

    @Override
    public CompletionStage<Void> meterValues(String chargePointId, MeterValuesRequest request, Instant receivedAt) {
        // Encoded and digested on the caller's thread: the writer's one thread is the store's bottleneck.
        String frame = CODEC.encodeCall("", request);
        byte[] digest = Sql.sha256(frame);
        return writer.submit(s -> {
            if (bind(s.prepare("INSERT INTO meter_values_last (charge_point_id, connector_id, digest)"
                    + " VALUES (?, ?, ?) ON CONFLICT (charge_point_id, connector_id) DO UPDATE"
                    + " SET digest = excluded.digest WHERE digest IS NOT excluded.digest"),
                    chargePointId, request.connectorId(), digest).executeUpdate() == 0) {
                LOG.info("{}: MeterValues of connector {} again, identical to the last; recorded at its first"
                        + " arrival", chargePointId, request.connectorId());
                seen(s, chargePointId, receivedAt);
                return null;
            }
            Integer id = request.transactionId();
            if (id != null) {
                String owner = owner(s, id);
                if (!chargePointId.equals(owner)) {
                    keepAsEvidence(s, chargePointId, request.action().name(), payload(frame), id, owner, receivedAt);
                    return null;
                }
            }
            insertMeterValues(s, chargePointId, request.connectorId(), id, request.meterValue(), receivedAt);
            journal(s, chargePointId, request.action().name(), payload(frame), id, receivedAt);
            seen(s, chargePointId, receivedAt);
            return null;
        });
    }

    @Override
    public CompletionStage<Void> transactionStopped(String chargePointId, StopTransactionRequest request,
                                                    Instant receivedAt) {
        int id = request.transactionId();
        String frame = CODEC.encodeCall("", request);
        return writer.submit(s -> {
            StoredTransaction existing = find(s, id);
            if (existing == null || !existing.chargePointId().equals(chargePointId)) {
                // Only the charger that started a transaction stops it: applying this stop would end the
                // owner's transaction with another meter, and drop the owner's own stop as a repeat.
                keepAsEvidence(s, chargePointId, request.action().name(), payload(frame), id,
                        existing == null ? null : existing.chargePointId(), receivedAt);
                return null;
            }
            if (!existing.open()) {
                // A charger resends a stop it got no answer for: the first one counts, its data is stored.
                LOG.info("{}: StopTransaction for transaction {} again; it was stored at its first arrival",
                        chargePointId, id);
                seen(s, chargePointId, receivedAt);
                return null;
            }
            bind(s.prepare("UPDATE charge_transaction SET state = 'Stopped', meter_stop = ?, stopped_at = ?,"
                    + " stop_id_tag = ?, reason = ?, stop_received_at = ? WHERE transaction_id = ?"),
                    request.meterStop(), request.timestamp(), request.idTag(), request.reason(), receivedAt, id)
                    .executeUpdate();
            insertMeterValues(s, chargePointId, existing.connectorId(), id, request.transactionData(), receivedAt);
            journal(s, chargePointId, request.action().name(), payload(frame), id, receivedAt);
            seen(s, chargePointId, receivedAt);
            return null;
        });
    }

    @Override
    public CompletionStage<Void> chargerBooted(String chargePointId, BootNotificationRequest r, Instant receivedAt) {
        return writer.submit(s -> {
            bind(s.prepare("INSERT INTO charger (charge_point_id, vendor, model, charge_point_serial,"
                    + " charge_box_serial, firmware_version, iccid, imsi, meter_type, meter_serial, booted_at,"
                    + " last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (charge_point_id)"
                    + " DO UPDATE SET vendor = excluded.vendor, model = excluded.model,"
                    + " charge_point_serial = excluded.charge_point_serial,"
                    + " charge_box_serial = excluded.charge_box_serial,"
                    + " firmware_version = excluded.firmware_version, iccid = excluded.iccid,"
                    + " imsi = excluded.imsi, meter_type = excluded.meter_type,"
                    + " meter_serial = excluded.meter_serial, booted_at = excluded.booted_at,"
                    + " last_seen_at = max(last_seen_at, excluded.last_seen_at)"),
                    chargePointId, r.chargePointVendor(), r.chargePointModel(), r.chargePointSerialNumber(),
                    r.chargeBoxSerialNumber(), r.firmwareVersion(), r.iccid(), r.imsi(), r.meterType(),
                    r.meterSerialNumber(), receivedAt, receivedAt).executeUpdate();
            return null;
        });
    }

    @Override
    public CompletionStage<Void> connectorStatus(String chargePointId, StatusNotificationRequest r,
                                                 Instant receivedAt) {
        return writer.submit(s -> {
            bind(s.prepare("INSERT INTO connector_status (charge_point_id, connector_id, status, error_code, info,"
                    + " vendor_id, vendor_error_code, status_at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    + " ON CONFLICT (charge_point_id, connector_id) DO UPDATE SET status = excluded.status,"
                    + " error_code = excluded.error_code, info = excluded.info, vendor_id = excluded.vendor_id,"
                    + " vendor_error_code = excluded.vendor_error_code, status_at = excluded.status_at,"
                    + " received_at = excluded.received_at"),
                    chargePointId, r.connectorId(), r.status(), r.errorCode(), r.info(), r.vendorId(),
                    r.vendorErrorCode(), r.timestamp(), receivedAt).executeUpdate();
            seen(s, chargePointId, receivedAt);
            return null;
        });
    }

    private static void seen(Writer.Session s, String chargePointId, Instant at) throws SQLException {
        bind(s.prepare(SEEN), chargePointId, at).executeUpdate();
    }

    private static void insertMeterValues(Writer.Session s, String chargePointId, int connectorId,
                                          Integer transactionId, List<MeterValue> values, Instant receivedAt)
            throws SQLException {
        if (values == null) {
            return;
        }
        PreparedStatement insert = s.prepare(INSERT_METER_VALUE);
        for (MeterValue mv : values) {
            for (SampledValue v : mv.sampledValue()) {
                bind(insert, chargePointId, connectorId, transactionId, mv.timestamp(), v.value(), v.context(),
                        v.format(), v.measurand(), v.phase(), v.location(), v.unit(), receivedAt).executeUpdate();
            }
        }
    }

    /** The charger that started the transaction, null when the store has no record of it. */
    private static String owner(Writer.Session s, int transactionId) throws SQLException {
        try (ResultSet rs = bind(s.prepare("SELECT charge_point_id FROM charge_transaction WHERE transaction_id = ?"),
                transactionId).executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /**
     * Keeps a StopTransaction or MeterValues that names a transaction not the charger's own as
     * evidence, in the caller's commit: parked for the operator with a reason naming both chargers
     * (never journaled for the CSMS), counted for the charger, logged. Neither the transaction it
     * names nor its meter values are touched. A resend (the same payload again) is kept once.
     *
     * @param owner the charger that started the transaction; null when the store has no record of
     *        it (the gateway never issued it)
     */
    private static void keepAsEvidence(Writer.Session s, String chargePointId, String action, String payloadJson,
                                       int transactionId, String owner, Instant receivedAt) throws SQLException {
        try (ResultSet rs = bind(s.prepare("SELECT 1 FROM outbound_parked WHERE charge_point_id = ?"
                + " AND transaction_id = ? AND action = ? AND payload = ?"), chargePointId, transactionId, action,
                payloadJson).executeQuery()) {
            if (rs.next()) {
                LOG.info("{}: {} for transaction {} again; kept as evidence at its first arrival", chargePointId,
                        action, transactionId);
                seen(s, chargePointId, receivedAt);
                return;
            }
        }
        String named = " for transaction " + transactionId
                + (owner != null ? ", which " + owner + " started" : ", which this gateway never issued");
        String reason = action + " of " + chargePointId + named;
        // A sequence of the charger's journal, so the parked list keeps arrival order; not queued.
        long sequence = nextSequence(s, chargePointId, 0);
        bind(s.prepare("INSERT INTO outbound_parked (charge_point_id, sequence, action, payload, queued_at, reason,"
                + " parked_at, transaction_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"), chargePointId, sequence, action,
                payloadJson, receivedAt, reason, receivedAt, transactionId).executeUpdate();
        boolean foreign = owner != null;
        bind(s.prepare("INSERT INTO charger (charge_point_id, last_seen_at, foreign_messages,"
                + " unknown_transaction_messages, last_foreign_message_at) VALUES (?, ?, ?, ?, ?)"
                + " ON CONFLICT (charge_point_id) DO UPDATE SET last_seen_at = max(last_seen_at,"
                + " excluded.last_seen_at), foreign_messages = foreign_messages + excluded.foreign_messages,"
                + " unknown_transaction_messages = unknown_transaction_messages"
                + " + excluded.unknown_transaction_messages, last_foreign_message_at = max(COALESCE("
                + "last_foreign_message_at, 0), excluded.last_foreign_message_at)"),
                chargePointId, receivedAt, foreign ? 1 : 0, foreign ? 0 : 1, receivedAt).executeUpdate();
        LOG.warn("{}: {}{}; not applied to it and not sent to the CSMS, kept as evidence (parked)", chargePointId,
                action, named);
    }

    private static StoredTransaction find(Writer.Session s, int transactionId) throws SQLException {
        try (ResultSet rs = bind(s.prepare("SELECT " + TRANSACTION_COLUMNS + " WHERE transaction_id = ?"),
                transactionId).executeQuery()) {
            return rs.next() ? transaction(rs) : null;
        }
    }

    // ---- SiteStore: reads -------------------------------------------------------------------

    @Override
    public Optional<StoredTransaction> transaction(int transactionId) {
        return transactions("WHERE transaction_id = ?", transactionId).stream().findFirst();
    }

    @Override
    public List<StoredTransaction> openTransactions(String chargePointId) {
        return transactions("WHERE charge_point_id = ? AND state = 'Started' ORDER BY started_at, transaction_id",
                chargePointId);
    }

    @Override
    public List<StoredTransaction> openTransactionsOf(String idTag) {
        return transactions("WHERE id_tag = ? AND state = 'Started' ORDER BY started_at, transaction_id", idTag);
    }

    @Override
    public Optional<BootNotificationRequest> lastBoot(String chargePointId) {
        return readers.read(c -> {
            try (PreparedStatement ps = bind(c.prepareStatement("SELECT vendor, model, charge_point_serial,"
                    + " charge_box_serial, firmware_version, iccid, imsi, meter_type, meter_serial FROM charger"
                    + " WHERE charge_point_id = ? AND booted_at IS NOT NULL"), chargePointId);
                 ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new BootNotificationRequest(rs.getString(1), rs.getString(2),
                        rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7),
                        rs.getString(8), rs.getString(9))) : Optional.<BootNotificationRequest>empty();
            }
        });
    }

    private List<StoredTransaction> transactions(String where, Object parameter) {
        return readers.read(c -> {
            try (PreparedStatement ps = bind(c.prepareStatement("SELECT " + TRANSACTION_COLUMNS + " " + where),
                    parameter); ResultSet rs = ps.executeQuery()) {
                List<StoredTransaction> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(transaction(rs));
                }
                return out;
            }
        });
    }

    private static StoredTransaction transaction(ResultSet rs) throws SQLException {
        return new StoredTransaction(rs.getInt("transaction_id"), rs.getString("charge_point_id"),
                rs.getInt("connector_id"), rs.getString("id_tag"), Sql.integer(rs, "meter_start"),
                Sql.instant(rs, "started_at"), Sql.integer(rs, "reservation_id"),
                Sql.wire(AuthorizationStatus.class, rs.getString("start_status")), Sql.integer(rs, "meter_stop"),
                Sql.instant(rs, "stopped_at"), rs.getString("stop_id_tag"),
                Sql.wire(Reason.class, rs.getString("reason")), rs.getInt("start_unknown") == 1);
    }

    @Override
    public int highestTransactionId() {
        return readers.read(c -> {
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT COALESCE(MAX(transaction_id), 0) FROM charge_transaction")) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        });
    }

    @Override
    public List<ForeignTransactionMessages> foreignTransactionMessages() {
        return readers.read(c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT charge_point_id,"
                    + " foreign_messages, unknown_transaction_messages, last_foreign_message_at FROM charger"
                    + " WHERE foreign_messages > 0 OR unknown_transaction_messages > 0 ORDER BY charge_point_id")) {
                List<ForeignTransactionMessages> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new ForeignTransactionMessages(rs.getString(1), rs.getInt(2), rs.getInt(3),
                            Sql.instant(rs, "last_foreign_message_at")));
                }
                return out;
            }
        });
    }

    @Override
    public StoreHealth health() {
        Writer.Health h = writer.health();
        return new StoreHealth(h.ok(), h.problem(), h.since(), sizeOnDisk());
    }

    /**
     * Along {@code meter_value_by_charger_time} backwards from {@code to}: the rows come newest first,
     * and a reading's values (the same time, written one after another) last first, so each such run is
     * turned round to the order the charger sent them in.
     */
    @Override
    public List<StoredMeterValue> meterValueHistory(String chargePointId, Integer connectorId, Measurand measurand,
                                                   Instant from, Instant to, int limit) {
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("the range must start before it ends: " + from + " to " + to);
        }
        if (limit < 1 || limit > MAX_METER_VALUE_HISTORY) {
            throw new IllegalArgumentException("the limit must be 1 to " + MAX_METER_VALUE_HISTORY + ", not " + limit);
        }
        StringBuilder sql = new StringBuilder("SELECT connector_id, transaction_id, sampled_at, value, context,"
                + " format, measurand, phase, location, unit FROM meter_value"
                + " WHERE charge_point_id = ? AND sampled_at >= ? AND sampled_at < ?");
        List<Object> parameters = new ArrayList<>(List.of(chargePointId, from, to));
        if (connectorId != null) {
            sql.append(" AND connector_id = ?");
            parameters.add(connectorId);
        }
        if (measurand == Measurand.EnergyActiveImportRegister) {
            sql.append(" AND (measurand = ? OR measurand IS NULL)"); // OCPP's default measurand
            parameters.add(measurand);
        } else if (measurand != null) {
            sql.append(" AND measurand = ?");
            parameters.add(measurand);
        }
        sql.append(" ORDER BY sampled_at DESC, id DESC LIMIT ?");
        parameters.add(limit);
        List<StoredMeterValue> rows = readers.read(c -> {
            try (PreparedStatement ps = bind(c.prepareStatement(sql.toString()), parameters.toArray());
                 ResultSet rs = ps.executeQuery()) {
                List<StoredMeterValue> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new StoredMeterValue(rs.getInt("connector_id"), transactionId(rs),
                            Sql.instant(rs, "sampled_at"), new SampledValue(rs.getString("value"),
                            Sql.wire(ReadingContext.class, rs.getString("context")),
                            Sql.wire(ValueFormat.class, rs.getString("format")),
                            Sql.wire(Measurand.class, rs.getString("measurand")),
                            Sql.wire(Phase.class, rs.getString("phase")),
                            Sql.wire(Location.class, rs.getString("location")),
                            Sql.wire(UnitOfMeasure.class, rs.getString("unit")))));
                }
                return out;
            }
        });
        for (int start = 0; start < rows.size(); ) {
            int end = start + 1;
            while (end < rows.size() && sameReading(rows.get(start), rows.get(end))) {
                end++;
            }
            Collections.reverse(rows.subList(start, end));
            start = end;
        }
        return rows;
    }

    private static boolean sameReading(StoredMeterValue a, StoredMeterValue b) {
        return a.connectorId() == b.connectorId() && a.sampledAt().equals(b.sampledAt());
    }

    @Override
    public StoreStatistics statistics() {
        return writer.statistics();
    }

    @Override
    public CompletionStage<Void> writeProbe() {
        // BEGIN IMMEDIATE and COMMIT of nothing, in the next group commit: no page is written.
        return writer.submit(s -> null);
    }

    /**
     * {@code VACUUM INTO} on a connection of its own: one read transaction, so the copy is the
     * database as of its start. In WAL mode the writer goes on committing meanwhile (a reader never
     * blocks it); the read pool is not used, so the chargers' reads do not wait for a long copy either.
     * Runs on the caller's thread.
     */
    @Override
    public long backup(Path target) {
        Path copy = target.toAbsolutePath();
        if (Files.exists(copy)) {
            throw new StoreException(copy + " exists; a backup never overwrites a file", null);
        }
        long started = System.nanoTime();
        try (Connection connection = connect(file, busyTimeoutMillis);
             PreparedStatement vacuum = connection.prepareStatement("VACUUM INTO ?")) {
            vacuum.setString(1, copy.toString());
            vacuum.execute();
        } catch (SQLException e) {
            deleteQuietly(copy);
            throw new StoreException("cannot write the backup " + copy + ": " + e.getMessage(), e);
        }
        try {
            // VACUUM INTO does not sync its output: the copy must be on disk before it is reported done.
            try (FileChannel channel = FileChannel.open(copy, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            long size = Files.size(copy);
            LOG.info("Store backed up to {} ({} bytes) in {} ms while writes went on", copy, size,
                    (System.nanoTime() - started) / 1_000_000);
            return size;
        } catch (IOException e) {
            deleteQuietly(copy);
            throw new StoreException("cannot sync the backup " + copy + ": " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("Cannot delete the incomplete backup {}: {}", path, e.toString());
        }
    }

    private long sizeOnDisk() {
        long size = 0;
        for (String suffix : new String[] {"", "-wal"}) {
            try {
                size += Files.size(file.resolveSibling(file.getFileName() + suffix));
            } catch (IOException e) {
                // A WAL that is not there (yet) takes no space.
            }
        }
        return size;
    }

    // ---- OutboundJournal --------------------------------------------------------------------

    /**
     * The payload of a CALL frame the codec wrote, {@code [2,"","Action",{...}]}: the codec writes
     * compact JSON, so the payload is the text between the action and the closing bracket.
     */
    static String payload(String frame) {
        int start = frame.indexOf('{');
        if (start < 0 || !frame.endsWith("]")) {
            throw new IllegalStateException("not a CALL frame of the codec: " + frame);
        }
        return frame.substring(start, frame.length() - 1);
    }

    /** Journals a message for the CSMS, in the caller's commit. */
    private static long journal(Writer.Session s, String chargePointId, String action, String payloadJson,
                                Integer transactionId, Instant queuedAt) throws SQLException {
        long sequence = nextSequence(s, chargePointId, 1);
        bind(s.prepare("INSERT INTO outbound_journal (charge_point_id, sequence, action, payload, queued_at,"
                + " transaction_id) VALUES (?, ?, ?, ?, ?, ?)"), chargePointId, sequence, action, payloadJson,
                queuedAt, transactionId).executeUpdate();
        return sequence;
    }

    /**
     * The charger's next sequence number, never given out before; {@code queued} (0 or 1) is added to
     * the charger's count of queued messages.
     */
    private static long nextSequence(Writer.Session s, String chargePointId, int queued) throws SQLException {
        try (ResultSet rs = bind(s.prepare("INSERT INTO outbound_sequence (charge_point_id, last_sequence, queued)"
                + " VALUES (?, 1, ?) ON CONFLICT (charge_point_id) DO UPDATE SET last_sequence = last_sequence + 1,"
                + " queued = queued + excluded.queued RETURNING last_sequence"), chargePointId, queued).executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public CompletionStage<Integer> countRefusal(String chargePointId, long sequence) {
        return writer.submit(s -> {
            try (ResultSet rs = bind(s.prepare("UPDATE outbound_journal SET refusals = refusals + 1"
                    + " WHERE charge_point_id = ? AND sequence = ? RETURNING refusals"), chargePointId, sequence)
                    .executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        });
    }

    @Override
    public List<String> chargersWithMessages() {
        return readers.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT charge_point_id FROM outbound_sequence"
                    + " WHERE queued > 0 ORDER BY charge_point_id"); ResultSet rs = ps.executeQuery()) {
                List<String> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
                return out;
            }
        });
    }

    @Override
    public List<OutboundMessage> peek(String chargePointId, int max) {
        return readers.read(c -> {
            try (PreparedStatement ps = bind(c.prepareStatement("SELECT sequence, action, payload, queued_at,"
                    + " transaction_id FROM outbound_journal WHERE charge_point_id = ? ORDER BY sequence LIMIT ?"),
                    chargePointId, max); ResultSet rs = ps.executeQuery()) {
                List<OutboundMessage> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new OutboundMessage(chargePointId, rs.getLong("sequence"), rs.getString("action"),
                            rs.getString("payload"), Sql.instant(rs, "queued_at"), transactionId(rs)));
                }
                return out;
            }
        });
    }

    @Override
    public CompletionStage<Void> acknowledge(String chargePointId, long sequence) {
        return writer.submit(s -> {
            // The position only moves forward: an acknowledgement overtaken by a later one changes nothing.
            bind(s.prepare("UPDATE outbound_sequence SET delivered_up_to = ? WHERE charge_point_id = ?"
                    + " AND (delivered_up_to IS NULL OR delivered_up_to < ?)"), sequence, chargePointId, sequence)
                    .executeUpdate();
            removed(s, chargePointId, bind(s.prepare("DELETE FROM outbound_journal WHERE charge_point_id = ?"
                    + " AND sequence <= ?"), chargePointId, sequence).executeUpdate());
            return null;
        });
    }

    /** Keeps the charger's count of queued messages true after {@code count} left the queue. */
    private static void removed(Writer.Session s, String chargePointId, int count) throws SQLException {
        if (count > 0) {
            bind(s.prepare("UPDATE outbound_sequence SET queued = queued - ? WHERE charge_point_id = ?"), count,
                    chargePointId).executeUpdate();
        }
    }

    @Override
    public int depth(String chargePointId) {
        return readers.read(c -> {
            try (PreparedStatement ps = bind(c.prepareStatement(
                    "SELECT queued FROM outbound_sequence WHERE charge_point_id = ?"), chargePointId);
                 ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        });
    }

    private static Integer transactionId(ResultSet rs) throws SQLException {
        int id = rs.getInt("transaction_id");
        return rs.wasNull() ? null : id;
    }

    // ---- TransactionIdMap -------------------------------------------------------------------

    @Override
    public CompletionStage<Void> map(String chargePointId, int gatewayId, int csmsId) {
        return writer.submit(s -> {
            bind(s.prepare("INSERT INTO transaction_id_map (gateway_id, charge_point_id, csms_id) VALUES (?, ?, ?)"
                    + " ON CONFLICT (gateway_id) DO UPDATE SET csms_id = excluded.csms_id"),
                    gatewayId, chargePointId, csmsId).executeUpdate();
            return null;
        });
    }

    @Override
    public OptionalInt csmsId(int gatewayId) {
        return readers.read(c -> {
            try (PreparedStatement ps = bind(c.prepareStatement(
                    "SELECT csms_id FROM transaction_id_map WHERE gateway_id = ? AND csms_id IS NOT NULL"),
                    gatewayId); ResultSet rs = ps.executeQuery()) {
                return rs.next() ? OptionalInt.of(rs.getInt(1)) : OptionalInt.empty();
            }
        });
    }

    @Override
    public OptionalInt gatewayId(String chargePointId, int csmsId) {
        return readers.read(c -> {
            // The newest mapping wins should a CSMS ever reuse an id on the same charger.
            try (PreparedStatement ps = bind(c.prepareStatement("SELECT gateway_id FROM transaction_id_map"
                    + " WHERE charge_point_id = ? AND csms_id = ? ORDER BY gateway_id DESC LIMIT 1"),
                    chargePointId, csmsId); ResultSet rs = ps.executeQuery()) {
                return rs.next() ? OptionalInt.of(rs.getInt(1)) : OptionalInt.empty();
            }
        });
    }

    // ---- CsmsChargingProfiles ---------------------------------------------------------------

    @Override
    public CompletionStage<Void> putProfile(CsmsChargingProfile profile, Collection<Integer> replaced) {
        String payload = payload(CODEC.encodeCall("", new SetChargingProfileRequest(profile.connectorId(),
                profile.profile())));
        List<Integer> gone = List.copyOf(replaced);
        return writer.submit(s -> {
            deleteProfiles(s, profile.chargePointId(), gone);
            bind(s.prepare("INSERT OR REPLACE INTO csms_charging_profile (charge_point_id, profile_id, connector_id,"
                    + " payload, set_at) VALUES (?, ?, ?, ?, ?)"), profile.chargePointId(), profile.profileId(),
                    profile.connectorId(), payload, profile.setAt()).executeUpdate();
            return null;
        });
    }

    @Override
    public CompletionStage<Void> removeProfiles(String chargePointId, Collection<Integer> profileIds) {
        List<Integer> gone = List.copyOf(profileIds);
        return writer.submit(s -> {
            deleteProfiles(s, chargePointId, gone);
            return null;
        });
    }

    private static void deleteProfiles(Writer.Session s, String chargePointId, List<Integer> profileIds)
            throws SQLException {
        for (int id : profileIds) {
            bind(s.prepare("DELETE FROM csms_charging_profile WHERE charge_point_id = ? AND profile_id = ?"),
                    chargePointId, id).executeUpdate();
        }
    }

    @Override
    public List<CsmsChargingProfile> profiles() {
        return readers.read(c -> {
            List<CsmsChargingProfile> all = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT charge_point_id, connector_id, payload, set_at"
                    + " FROM csms_charging_profile ORDER BY charge_point_id, profile_id");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    SetChargingProfileRequest request;
                    try {
                        RpcFrame.Call call = (RpcFrame.Call) CODEC.parse("[2,\"\",\"SetChargingProfile\","
                                + rs.getString("payload") + "]");
                        request = (SetChargingProfileRequest) CODEC.decodeRequest(Action.SetChargingProfile,
                                call.payload());
                    } catch (OcppValidationException | FrameException e) {
                        throw new SQLException("the store holds a charging profile it cannot read", e);
                    }
                    all.add(new CsmsChargingProfile(rs.getString("charge_point_id"), rs.getInt("connector_id"),
                            request.csChargingProfiles(), Sql.instant(rs, "set_at")));
                }
            }
            return all;
        });
    }

    // ---- ParkedMessages ---------------------------------------------------------------------

    @Override
    public CompletionStage<Void> park(OutboundMessage message, String reason) {
        Instant parkedAt = clock.instant();
        return writer.submit(s -> {
            bind(s.prepare("INSERT OR REPLACE INTO outbound_parked (charge_point_id, sequence, action, payload,"
                    + " queued_at, reason, parked_at, transaction_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
                    message.chargePointId(), message.sequence(), message.action(), message.payloadJson(),
                    message.queuedAt(), reason, parkedAt, message.transactionId()).executeUpdate();
            removed(s, message.chargePointId(), bind(s.prepare("DELETE FROM outbound_journal"
                    + " WHERE charge_point_id = ? AND sequence = ?"), message.chargePointId(), message.sequence())
                    .executeUpdate());
            return null;
        });
    }

    @Override
    public List<Parked> parked(String chargePointId) {
        return readers.read(c -> {
            try (PreparedStatement ps = bind(c.prepareStatement("SELECT sequence, action, payload, queued_at,"
                    + " reason, parked_at, transaction_id FROM outbound_parked WHERE charge_point_id = ? ORDER BY sequence"),
                    chargePointId); ResultSet rs = ps.executeQuery()) {
                List<Parked> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new Parked(new OutboundMessage(chargePointId, rs.getLong("sequence"),
                            rs.getString("action"), rs.getString("payload"), Sql.instant(rs, "queued_at"),
                            transactionId(rs)),
                            rs.getString("reason"), Sql.instant(rs, "parked_at")));
                }
                return out;
            }
        });
    }

    @Override
    public CompletionStage<Integer> requeue(String chargePointId) {
        Instant queuedAt = clock.instant();
        return writer.submit(s -> {
            List<OutboundMessage> rows = new ArrayList<>();
            try (ResultSet rs = bind(s.prepare("SELECT action, payload, transaction_id FROM outbound_parked"
                    + " WHERE charge_point_id = ? ORDER BY sequence"), chargePointId).executeQuery()) {
                while (rs.next()) {
                    rows.add(new OutboundMessage(chargePointId, 0, rs.getString(1), rs.getString(2), null,
                            transactionId(rs)));
                }
            }
            for (OutboundMessage row : rows) {
                journal(s, chargePointId, row.action(), row.payloadJson(), row.transactionId(), queuedAt);
            }
            bind(s.prepare("DELETE FROM outbound_parked WHERE charge_point_id = ?"), chargePointId).executeUpdate();
            return rows.size();
        });
    }

    // ---- AuthorizationRepository ------------------------------------------------------------

    @Override
    public StoredList loadList() {
        return readers.read(c -> {
            try (Statement st = c.createStatement()) {
                // One read transaction: the version and the entries of the same save.
                st.execute("BEGIN");
                try {
                    int version;
                    try (ResultSet rs = st.executeQuery("SELECT version FROM authorization_list WHERE id = 1")) {
                        version = rs.next() ? rs.getInt(1) : 0;
                    }
                    List<AuthorizationData> entries = new ArrayList<>();
                    try (ResultSet rs = st.executeQuery("SELECT id_tag, status, expiry_date, parent_id_tag"
                            + " FROM authorization_list_entry ORDER BY id_tag")) {
                        while (rs.next()) {
                            entries.add(new AuthorizationData(rs.getString("id_tag"), idTagInfo(rs)));
                        }
                    }
                    return new StoredList(version, entries);
                } finally {
                    st.execute("COMMIT");
                }
            }
        });
    }

    /** The IdTagInfo of a row, null when it has no status (an entry without idTagInfo). */
    private static IdTagInfo idTagInfo(ResultSet rs) throws SQLException {
        AuthorizationStatus status = Sql.wire(AuthorizationStatus.class, rs.getString("status"));
        return status == null ? null
                : new IdTagInfo(Sql.instant(rs, "expiry_date"), rs.getString("parent_id_tag"), status);
    }

    @Override
    public CompletionStage<Void> saveList(int version, List<AuthorizationData> entries) {
        List<AuthorizationData> copy = List.copyOf(entries);
        return writer.submit(s -> {
            s.prepare("DELETE FROM authorization_list_entry").executeUpdate();
            PreparedStatement insert = s.prepare("INSERT OR REPLACE INTO authorization_list_entry"
                    + " (id_tag, status, expiry_date, parent_id_tag) VALUES (?, ?, ?, ?)");
            for (AuthorizationData entry : copy) {
                IdTagInfo info = entry.idTagInfo();
                bind(insert, entry.idTag(), info == null ? null : info.status(),
                        info == null ? null : info.expiryDate(), info == null ? null : info.parentIdTag())
                        .executeUpdate();
            }
            bind(s.prepare("INSERT INTO authorization_list (id, version) VALUES (1, ?)"
                    + " ON CONFLICT (id) DO UPDATE SET version = excluded.version"), version).executeUpdate();
            return null;
        });
    }

    @Override
    public Map<String, CachedIdTag> loadCache() {
        return readers.read(c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT id_tag, status, expiry_date, parent_id_tag, cached_at FROM authorization_cache")) {
                Map<String, CachedIdTag> out = new LinkedHashMap<>();
                while (rs.next()) {
                    out.put(rs.getString("id_tag"), new CachedIdTag(idTagInfo(rs), Sql.instant(rs, "cached_at")));
                }
                return Collections.unmodifiableMap(out);
            }
        });
    }

    @Override
    public CompletionStage<Void> saveCacheEntry(String idTag, IdTagInfo info, Instant cachedAt) {
        return writer.submit(s -> {
            bind(s.prepare("INSERT OR REPLACE INTO authorization_cache (id_tag, status, expiry_date, parent_id_tag,"
                    + " cached_at) VALUES (?, ?, ?, ?, ?)"), idTag, info.status(), info.expiryDate(),
                    info.parentIdTag(), cachedAt).executeUpdate();
            return null;
        });
    }

    @Override
    public CompletionStage<Void> clearCache() {
        return writer.submit(s -> {
            s.prepare("DELETE FROM authorization_cache").executeUpdate();
            return null;
        });
    }

    // ---- BalancerMemory: in BalancerTables ----

    @Override
    public Remembered remembered() {
        return balancerTables.remembered();
    }

    @Override
    public CompletionStage<Void> saveSessionMode(SessionMode mode) {
        return balancerTables.saveSessionMode(mode);
    }

    @Override
    public CompletionStage<Void> forgetSessionMode(String chargePointId, int connectorId) {
        return balancerTables.forgetSessionMode(chargePointId, connectorId);
    }

    @Override
    public CompletionStage<Void> saveChargerMode(String chargePointId, String mode) {
        return balancerTables.saveChargerMode(chargePointId, mode);
    }

    @Override
    public CompletionStage<Void> saveCapabilities(ChargerCapabilities capabilities) {
        return balancerTables.saveCapabilities(capabilities);
    }

    @Override
    public CompletionStage<Void> saveSentProfile(BalancerMemory.SentProfile profile) {
        return balancerTables.saveSentProfile(profile);
    }

    @Override
    public CompletionStage<Void> forgetSentProfile(String chargePointId, int connectorId) {
        return balancerTables.forgetSentProfile(chargePointId, connectorId);
    }
}
