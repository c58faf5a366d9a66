package org.chargeedge.store.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the outbound journal of chargers no reader has ever delivered for (the gateway runs
 * without a CSMS): their entries older than the retention go, in steps of at most
 * {@code batchSize} rows run by the writer thread between its commits. A charger whose entries an
 * upstream link has acknowledged once keeps every undelivered entry whatever its age: that is what
 * the CSMS bills from. State is owned by the writer thread.
 */
final class JournalPruner implements Writer.Maintenance {

    private static final Logger LOG = LoggerFactory.getLogger(JournalPruner.class);

    private final Duration retention;
    private final int batchSize;
    private final Clock clock;

    // Writer thread only: the running pass's cut-off and count.
    private long cutoffMillis = -1;
    private long deletedInPass;

    JournalPruner(Duration retention, int batchSize, Clock clock) {
        this.retention = retention;
        this.batchSize = batchSize;
        this.clock = clock;
    }

    @Override
    public boolean step(Writer.Session session) throws SQLException {
        if (cutoffMillis < 0) {
            cutoffMillis = clock.instant().minus(retention).toEpochMilli();
        }
        record Old(String chargePointId, long upTo, int count) {}
        List<Old> old = new ArrayList<>();
        int budget = batchSize;
        // Entries are journaled in time order per charger: the old ones are a prefix of its sequences.
        try (ResultSet chargers = session.prepare("SELECT charge_point_id FROM outbound_sequence"
                + " WHERE delivered_up_to IS NULL AND queued > 0 ORDER BY charge_point_id").executeQuery()) {
            while (chargers.next() && budget > 0) {
                String id = chargers.getString(1);
                try (ResultSet rs = Sql.bind(session.prepare("SELECT MAX(sequence), COUNT(*) FROM (SELECT sequence"
                        + " FROM outbound_journal WHERE charge_point_id = ? AND queued_at < ? ORDER BY sequence"
                        + " LIMIT ?)"), id, cutoffMillis, budget).executeQuery()) {
                    if (rs.next() && rs.getInt(2) > 0) {
                        old.add(new Old(id, rs.getLong(1), rs.getInt(2)));
                        budget -= rs.getInt(2);
                    }
                }
            }
        }
        for (Old o : old) {
            int deleted = Sql.bind(session.prepare("DELETE FROM outbound_journal WHERE charge_point_id = ?"
                    + " AND sequence <= ?"), o.chargePointId(), o.upTo()).executeUpdate();
            Sql.bind(session.prepare("UPDATE outbound_sequence SET queued = queued - ? WHERE charge_point_id = ?"),
                    deleted, o.chargePointId()).executeUpdate();
            deletedInPass += deleted;
        }
        boolean more = budget == 0;
        if (!more) {
            if (deletedInPass > 0) {
                LOG.info("Pruned {} journal entries older than {} days of chargers that no CSMS link ever"
                        + " delivered for", deletedInPass, retention.toDays());
            }
            cutoffMillis = -1;
            deletedInPass = 0;
        }
        return more;
    }
}
