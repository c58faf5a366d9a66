package org.chargeedge.store.internal;

import static org.chargeedge.store.internal.Sql.bind;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

import org.chargeedge.api.store.BalancerMemory;

/**
 * {@link BalancerMemory} on the store's tables {@code balancer_session_mode}, {@code balancer_charger_mode} and
 * {@code balancer_capabilities} and {@code balancer_sent_profile} (schema V8 to V10): writes through the store's writer thread, reads on the caller's
 * thread from the read pool. Kept apart from {@link SqliteStore}, which only delegates to it.
 */
final class BalancerTables {

    private final Writer writer;
    private final ReadPool readers;

    BalancerTables(Writer writer, ReadPool readers) {
        this.writer = writer;
        this.readers = readers;
    }

    BalancerMemory.Remembered remembered() {
        return readers.read(c -> {
            List<BalancerMemory.SessionMode> sessions = new ArrayList<>();
            Map<String, String> chargers = new HashMap<>();
            List<BalancerMemory.ChargerCapabilities> capabilities = new ArrayList<>();
            List<BalancerMemory.SentProfile> profiles = new ArrayList<>();
            try (Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("SELECT charge_point_id, connector_id, transaction_id, mode,"
                        + " departure, energy_wh FROM balancer_session_mode ORDER BY charge_point_id, connector_id")) {
                    while (rs.next()) {
                        double energy = rs.getDouble("energy_wh");
                        sessions.add(new BalancerMemory.SessionMode(rs.getString("charge_point_id"),
                                rs.getInt("connector_id"), Sql.integer(rs, "transaction_id"), rs.getString("mode"),
                                Sql.instant(rs, "departure"), rs.wasNull() ? null : energy));
                    }
                }
                try (ResultSet rs = st.executeQuery("SELECT charge_point_id, mode FROM balancer_charger_mode")) {
                    while (rs.next()) {
                        chargers.put(rs.getString("charge_point_id"), rs.getString("mode"));
                    }
                }
                try (ResultSet rs = st.executeQuery("SELECT charge_point_id, unit, tx_default_rejected,"
                        + " tx_profile_rejected, no_smart_charging, firmware_version, learnt_at, switches_phases,"
                        + " reaction_ms, relative_tx_profiles FROM balancer_capabilities ORDER BY charge_point_id")) {
                    while (rs.next()) {
                        capabilities.add(new BalancerMemory.ChargerCapabilities(rs.getString("charge_point_id"),
                                rs.getString("unit"), rs.getInt("tx_default_rejected") == 1,
                                rs.getInt("tx_profile_rejected") == 1, rs.getInt("no_smart_charging") == 1,
                                rs.getString("firmware_version"), Sql.instant(rs, "learnt_at"),
                                rs.getInt("switches_phases") == 1, reaction(rs),
                                rs.getInt("relative_tx_profiles") == 1));
                    }
                }
                try (ResultSet rs = st.executeQuery("SELECT charge_point_id, connector_id, transaction_id, limit_a,"
                        + " valid_to, accepted_at, number_phases, phases_since, on_off_since"
                        + " FROM balancer_sent_profile"
                        + " ORDER BY charge_point_id, connector_id")) {
                    while (rs.next()) {
                        profiles.add(new BalancerMemory.SentProfile(rs.getString("charge_point_id"),
                                rs.getInt("connector_id"), Sql.integer(rs, "transaction_id"), rs.getDouble("limit_a"),
                                Sql.instant(rs, "valid_to"), Sql.instant(rs, "accepted_at"),
                                rs.getInt("number_phases"), Sql.instant(rs, "phases_since"),
                                Sql.instant(rs, "on_off_since")));
                    }
                }
            }
            return new BalancerMemory.Remembered(sessions, chargers, capabilities, profiles);
        });
    }

    CompletionStage<Void> saveSessionMode(BalancerMemory.SessionMode m) {
        requireMode(m.mode());
        return writer.submit(s -> {
            bind(s.prepare("INSERT OR REPLACE INTO balancer_session_mode (charge_point_id, connector_id,"
                    + " transaction_id, mode, departure, energy_wh) VALUES (?, ?, ?, ?, ?, ?)"), m.chargePointId(),
                    m.connectorId(), m.transactionId(), m.mode(), m.departure(), m.energyWh()).executeUpdate();
            return null;
        });
    }

    CompletionStage<Void> forgetSessionMode(String chargePointId, int connectorId) {
        return writer.submit(s -> {
            bind(s.prepare("DELETE FROM balancer_session_mode WHERE charge_point_id = ? AND connector_id = ?"),
                    chargePointId, connectorId).executeUpdate();
            return null;
        });
    }

    CompletionStage<Void> saveChargerMode(String chargePointId, String mode) {
        return writer.submit(s -> {
            if (mode == null) {
                bind(s.prepare("DELETE FROM balancer_charger_mode WHERE charge_point_id = ?"), chargePointId)
                        .executeUpdate();
            } else {
                bind(s.prepare("INSERT OR REPLACE INTO balancer_charger_mode (charge_point_id, mode) VALUES (?, ?)"),
                        chargePointId, mode).executeUpdate();
            }
            return null;
        });
    }

    CompletionStage<Void> saveCapabilities(BalancerMemory.ChargerCapabilities c) {
        if (c.unit() != null && !c.unit().equals("A") && !c.unit().equals("W")) {
            throw new IllegalArgumentException("a charging rate unit is A or W, not '" + c.unit() + "'");
        }
        return writer.submit(s -> {
            bind(s.prepare("INSERT OR REPLACE INTO balancer_capabilities (charge_point_id, unit, tx_default_rejected,"
                    + " tx_profile_rejected, no_smart_charging, firmware_version, learnt_at, switches_phases,"
                    + " reaction_ms, relative_tx_profiles) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"), c.chargePointId(),
                    c.unit(), c.txDefaultRejected(), c.txProfileRejected(), c.noSmartCharging(), c.firmwareVersion(),
                    c.learntAt(), c.switchesPhases(), c.reactionTime() == null ? null : c.reactionTime().toMillis(),
                    c.relativeTxProfiles()).executeUpdate();
            return null;
        });
    }

    CompletionStage<Void> saveSentProfile(BalancerMemory.SentProfile p) {
        return writer.submit(s -> {
            bind(s.prepare("INSERT OR REPLACE INTO balancer_sent_profile (charge_point_id, connector_id,"
                    + " transaction_id, limit_a, valid_to, accepted_at, number_phases, phases_since,"
                    + " on_off_since) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"), p.chargePointId(), p.connectorId(),
                    p.transactionId(), p.limitA(), p.validTo(), p.acceptedAt(), p.numberPhases(), p.phasesSince(),
                    p.onOffSince()).executeUpdate();
            return null;
        });
    }

    CompletionStage<Void> forgetSentProfile(String chargePointId, int connectorId) {
        return writer.submit(s -> {
            bind(s.prepare("DELETE FROM balancer_sent_profile WHERE charge_point_id = ? AND connector_id = ?"),
                    chargePointId, connectorId).executeUpdate();
            return null;
        });
    }

    private static Duration reaction(ResultSet rs) throws SQLException {
        long ms = rs.getLong("reaction_ms");
        return rs.wasNull() ? null : Duration.ofMillis(ms);
    }

    private static void requireMode(String mode) {
        if (mode == null || mode.isBlank()) {
            throw new IllegalArgumentException("a session mode needs a mode");
        }
    }
}
