package org.chargeedge.store.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.chargeedge.api.store.StoreException;

/**
 * Connections for reading. WAL lets them read committed data while the writer writes. Each
 * connection serves one thread at a time: a reader takes one from the idle queue and puts it back.
 */
final class ReadPool implements AutoCloseable {

    @FunctionalInterface
    interface Query<T> {
        T run(Connection connection) throws SQLException;
    }

    private static final long WAIT_SECONDS = 10;

    private final List<Connection> all;
    /** Idle connections, shared by every reading thread. */
    private final BlockingQueue<Connection> idle;

    ReadPool(List<Connection> connections) {
        this.all = new ArrayList<>(connections);
        this.idle = new ArrayBlockingQueue<>(connections.size(), false, connections);
    }

    <T> T read(Query<T> query) {
        Connection connection;
        try {
            connection = idle.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting to read the store", e);
        }
        if (connection == null) {
            throw new StoreException("no read connection free within " + WAIT_SECONDS + " s", null);
        }
        try {
            return query.run(connection);
        } catch (SQLException e) {
            throw new StoreException("cannot read the store: " + e.getMessage(), e);
        } finally {
            idle.add(connection);
        }
    }

    @Override
    public void close() {
        for (Connection c : all) {
            try {
                c.close();
            } catch (SQLException e) {
                // Closing at shutdown: nothing to do about it.
            }
        }
    }
}
