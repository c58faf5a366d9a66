package org.chargeedge.store.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schema as an ordered list of SQL scripts, {@code db/V1.sql}, {@code db/V2.sql}, ... in this
 * bundle; a database's version is its {@code PRAGMA user_version}. Scripts are found by probing the
 * numbers in order, which works alike in the framework and on a plain class path: adding a version
 * means adding its script and nothing else.
 */
final class Migrations {

    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
    private static final String RESOURCE = "/db/V%d.sql";

    /** Script of version {@code i + 1} at index {@code i}. */
    private final List<String> scripts;

    Migrations(List<String> scripts) {
        this.scripts = List.copyOf(scripts);
    }

    static Migrations load() {
        List<String> scripts = new ArrayList<>();
        for (int version = 1;; version++) {
            try (InputStream in = Migrations.class.getResourceAsStream(String.format(RESOURCE, version))) {
                if (in == null) {
                    return new Migrations(scripts);
                }
                scripts.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the schema script of version " + version, e);
            }
        }
    }

    int latest() {
        return scripts.size();
    }

    static int version(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("PRAGMA user_version")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    /** Brings the database to the latest version. */
    void migrate(Connection connection) throws SQLException {
        migrate(connection, latest());
    }

    /**
     * Applies the versions after the database's up to {@code target}, each in one transaction with
     * its version number, so a failure leaves the database at the last complete version.
     */
    void migrate(Connection connection, int target) throws SQLException {
        int current = version(connection);
        if (current > latest()) {
            throw new SQLException("the database has schema version " + current + ", newer than this bundle's "
                    + latest() + ": it was written by a newer gateway");
        }
        for (int version = current + 1; version <= target; version++) {
            try (Statement st = connection.createStatement()) {
                st.execute("BEGIN IMMEDIATE");
                try {
                    for (String sql : statements(scripts.get(version - 1))) {
                        st.execute(sql);
                    }
                    st.execute("PRAGMA user_version = " + version);
                    st.execute("COMMIT");
                } catch (SQLException | RuntimeException e) {
                    st.execute("ROLLBACK");
                    throw new SQLException("schema migration to version " + version + " failed: " + e.getMessage(), e);
                }
            }
            LOG.info("Store schema migrated from version {} to {}", version - 1, version);
        }
    }

    /** The statements of a script: whole-line {@code --} comments dropped, split at a {@code ;} ending a line. */
    static List<String> statements(String script) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : script.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("--")) {
                continue;
            }
            current.append(line).append('\n');
            if (trimmed.endsWith(";")) {
                out.add(current.toString().strip());
                current.setLength(0);
            }
        }
        if (!current.toString().isBlank()) {
            out.add(current.toString().strip());
        }
        return out;
    }
}
