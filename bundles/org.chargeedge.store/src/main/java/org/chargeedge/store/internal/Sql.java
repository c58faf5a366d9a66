package org.chargeedge.store.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

import org.chargeedge.ocpp.v16.OcppEnum;

/** Conversions between the store's columns and Java values: times in epoch milliseconds, enums by wire spelling. */
final class Sql {

    private Sql() {
    }

    /** Binds {@code values} to the parameters in order; null binds NULL. */
    static PreparedStatement bind(PreparedStatement ps, Object... values) throws SQLException {
        for (int i = 0; i < values.length; i++) {
            Object v = values[i];
            if (v instanceof Instant t) {
                v = t.toEpochMilli();
            } else if (v instanceof OcppEnum e) {
                v = e.value();
            } else if (v instanceof Boolean b) {
                v = b ? 1 : 0;
            }
            ps.setObject(i + 1, v);
        }
        return ps;
    }

    /** SHA-256 of the text's UTF-8 bytes: the digests that recognise a message sent again. */
    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        long millis = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(millis);
    }

    static Integer integer(ResultSet rs, String column) throws SQLException {
        int value = rs.getInt(column);
        return rs.wasNull() ? null : value;
    }

    /** The constant of {@code type} spelled {@code wire} on the wire; null for NULL. */
    static <E extends Enum<E> & OcppEnum> E wire(Class<E> type, String wire) {
        if (wire == null) {
            return null;
        }
        for (E e : type.getEnumConstants()) {
            if (e.value().equals(wire)) {
                return e;
            }
        }
        throw new IllegalStateException("the store holds an unknown " + type.getSimpleName() + " '" + wire + "'");
    }
}
