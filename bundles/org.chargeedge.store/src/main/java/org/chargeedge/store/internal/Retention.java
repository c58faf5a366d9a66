package org.chargeedge.store.internal;

import java.sql.SQLException;

/**
 * The store's maintenance: the meter values pass, then the journal pass, one small step per call.
 * State is owned by the writer thread.
 */
final class Retention implements Writer.Maintenance {

    private final Writer.Maintenance meterValues;
    private final Writer.Maintenance journal;
    // Writer thread only.
    private boolean inJournal;

    Retention(Writer.Maintenance meterValues, Writer.Maintenance journal) {
        this.meterValues = meterValues;
        this.journal = journal;
    }

    @Override
    public boolean step(Writer.Session session) throws SQLException {
        if (!inJournal) {
            if (meterValues.step(session)) {
                return true;
            }
            inJournal = true;
            return true;
        }
        boolean more = journal.step(session);
        if (!more) {
            inJournal = false;
        }
        return more;
    }
}
