package org.chargeedge.store.internal;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes meter values older than the retention, in small steps run by the writer thread between
 * its commits. Rows are appended in received order, so a pass walks rowids from the oldest end and
 * stops at the first young row: no index on the time, and a step never examines more than
 * {@code batchSize} rows. Freed pages are reused by later writes, so the file stops growing once
 * the retention window is full, without VACUUM.
 *
 * <p>With {@code upstreamConfigured} only rows marked {@code delivered_upstream} are pruned. The
 * upstream link delivers from the outbound queue (never pruned) instead, so the gateway runs with it
 * off and prunes every old value.
 * State is owned by the writer thread.
 */
final class MeterValuePruner implements Writer.Maintenance {

    private static final Logger LOG = LoggerFactory.getLogger(MeterValuePruner.class);

    private final Duration retention;
    private final int batchSize;
    private final boolean upstreamConfigured;
    private final Clock clock;

    // Writer thread only: where the running pass is, and its cut-off fixed when it began.
    private long cursor;
    private long cutoffMillis = -1;
    private long deletedInPass;

    MeterValuePruner(Duration retention, int batchSize, boolean upstreamConfigured, Clock clock) {
        this.retention = retention;
        this.batchSize = batchSize;
        this.upstreamConfigured = upstreamConfigured;
        this.clock = clock;
    }

    @Override
    public boolean step(Writer.Session session) throws SQLException {
        if (cutoffMillis < 0) {
            cutoffMillis = clock.instant().minus(retention).toEpochMilli();
        }
        PreparedStatement scan = Sql.bind(session.prepare(
                "SELECT id, received_at FROM meter_value WHERE id > ? ORDER BY id LIMIT ?"), cursor, batchSize);
        long last = cursor;
        int examined = 0;
        boolean reachedYoung = false;
        try (ResultSet rs = scan.executeQuery()) {
            while (rs.next()) {
                if (rs.getLong(2) >= cutoffMillis) {
                    reachedYoung = true;
                    break;
                }
                last = rs.getLong(1);
                examined++;
            }
        }
        if (last > cursor) {
            deletedInPass += Sql.bind(session.prepare("DELETE FROM meter_value WHERE id > ? AND id <= ?"
                    + " AND received_at < ? AND (delivered_upstream = 1 OR ? = 0)"),
                    cursor, last, cutoffMillis, upstreamConfigured).executeUpdate();
            cursor = last;
        }
        boolean more = !reachedYoung && examined == batchSize;
        if (!more) {
            if (deletedInPass > 0) {
                LOG.info("Pruned {} meter values older than {} days", deletedInPass, retention.toDays());
            }
            cursor = 0;
            cutoffMillis = -1;
            deletedInPass = 0;
        }
        return more;
    }
}
