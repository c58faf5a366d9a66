package org.chargeedge.upstream.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.TreeSet;

import org.chargeedge.api.store.CsmsChargingProfile;
import org.chargeedge.ocpp.v16.ChargingProfile;
import org.chargeedge.ocpp.v16.ChargingProfileKindType;
import org.chargeedge.ocpp.v16.ChargingProfilePurposeType;
import org.chargeedge.ocpp.v16.ChargingRateUnitType;
import org.chargeedge.ocpp.v16.ChargingSchedule;
import org.chargeedge.ocpp.v16.ChargingSchedulePeriod;
import org.chargeedge.ocpp.v16.RecurrencyKindType;

/**
 * One charger's stack of CSMS profiles, evaluated as an OCPP 1.6 charger evaluates it (edition 2,
 * 3.13): per purpose, among the profiles valid at an instant whose schedule covers it, the highest
 * stack level prevails; on a connector the TxProfile of its running transaction, else its own
 * TxDefaultProfile, else the charge point's (connector 0); the ChargePointMaxProfile over both.
 * Pure: no clock, no I/O; immutable.
 *
 * <p>Limits in W become amps per phase with {@code voltage} over the connector's phases. Currents
 * are rounded down to a tenth of an amp, so a conversion never raises a limit.
 */
final class ProfileStack {

    /** The transaction running on a connector: the gateway's id and its start (Relative profiles count from it). */
    record Transaction(int transactionId, Instant startedAt) {
    }

    /** A limit of one profile's period at an instant: its value and unit as the profile says. */
    record Period(double limit, ChargingRateUnitType unit) {

        double amps(double voltage, int phases) {
            return unit == ChargingRateUnitType.A ? limit : floorTenth(limit / (voltage * phases));
        }
    }

    private final List<CsmsChargingProfile> profiles;
    private final double voltage;

    ProfileStack(List<CsmsChargingProfile> profiles, double voltage) {
        // Highest stack level first: the first one that covers an instant prevails.
        this.profiles = profiles.stream()
                .sorted(Comparator.comparingInt((CsmsChargingProfile p) -> p.profile().stackLevel()).reversed())
                .toList();
        this.voltage = voltage;
    }

    List<CsmsChargingProfile> profiles() {
        return profiles;
    }

    /**
     * The CSMS's limit on a connector (at least 1) at {@code at} in amps per phase, not sharing the
     * ChargePointMaxProfile; empty when no profile bounds it.
     *
     * @param running the connector's transaction, if one runs
     */
    OptionalDouble limitA(int connectorId, Instant at, Optional<Transaction> running, int phases) {
        return min(sessionLimitA(connectorId, at, running, phases), chargePointMaxA(at, running, phases));
    }

    /** The prevailing TxProfile of the running transaction, else the connector's TxDefaultProfile, in amps. */
    OptionalDouble sessionLimitA(int connectorId, Instant at, Optional<Transaction> running, int phases) {
        Instant relativeStart = running.map(Transaction::startedAt).orElse(at);
        Optional<Period> tx = running.flatMap(t -> prevailing(ChargingProfilePurposeType.TxProfile, connectorId,
                OptionalInt.of(t.transactionId()), at, relativeStart));
        Optional<Period> session = tx.isPresent() ? tx
                : prevailing(ChargingProfilePurposeType.TxDefaultProfile, connectorId, OptionalInt.empty(), at,
                        relativeStart).or(() -> prevailing(ChargingProfilePurposeType.TxDefaultProfile, 0,
                        OptionalInt.empty(), at, relativeStart));
        return session.map(p -> OptionalDouble.of(p.amps(voltage, phases))).orElse(OptionalDouble.empty());
    }

    /** The prevailing ChargePointMaxProfile, in amps: the limit of the charge point as a whole. */
    OptionalDouble chargePointMaxA(Instant at, Optional<Transaction> running, int phases) {
        Instant relativeStart = running.map(Transaction::startedAt).orElse(at);
        return prevailing(ChargingProfilePurposeType.ChargePointMaxProfile, 0, OptionalInt.empty(), at, relativeStart)
                .map(p -> OptionalDouble.of(p.amps(voltage, phases))).orElse(OptionalDouble.empty());
    }

    private Optional<Period> prevailing(ChargingProfilePurposeType purpose, int connectorId, OptionalInt transaction,
                                       Instant at, Instant relativeStart) {
        for (CsmsChargingProfile p : profiles) {
            ChargingProfile profile = p.profile();
            if (profile.chargingProfilePurpose() != purpose || p.connectorId() != connectorId) {
                continue;
            }
            if (transaction.isPresent() && (profile.transactionId() == null
                    || profile.transactionId() != transaction.getAsInt())) {
                continue;
            }
            Optional<Period> period = periodAt(p, at, relativeStart);
            if (period.isPresent()) {
                return period;
            }
        }
        return Optional.empty();
    }

    /**
     * The period of a profile in force at {@code at}: none outside validFrom/validTo, before its
     * schedule starts or after its duration. The schedule starts at startSchedule (Absolute; the
     * time it was set if none), at the latest recurrence of startSchedule (Recurring, daily unless
     * weekly), or at {@code relativeStart} (Relative).
     */
    static Optional<Period> periodAt(CsmsChargingProfile stored, Instant at, Instant relativeStart) {
        ChargingProfile p = stored.profile();
        if (p.validFrom() != null && at.isBefore(p.validFrom()) || p.validTo() != null && !at.isBefore(p.validTo())) {
            return Optional.empty();
        }
        Instant start = scheduleStart(stored, at, relativeStart);
        ChargingSchedule s = p.chargingSchedule();
        long offset = Duration.between(start, at).getSeconds();
        if (at.isBefore(start) || s.duration() != null && offset >= s.duration()) {
            return Optional.empty();
        }
        ChargingSchedulePeriod current = null;
        for (ChargingSchedulePeriod period : s.chargingSchedulePeriod()) {
            if (period.startPeriod() <= offset && (current == null || period.startPeriod() >= current.startPeriod())) {
                current = period;
            }
        }
        return current == null ? Optional.empty() : Optional.of(new Period(current.limit(), s.chargingRateUnit()));
    }

    static Instant scheduleStart(CsmsChargingProfile stored, Instant at, Instant relativeStart) {
        ChargingProfile p = stored.profile();
        Instant base = p.chargingSchedule().startSchedule() != null ? p.chargingSchedule().startSchedule()
                : stored.setAt();
        return switch (p.chargingProfileKind()) {
            case Absolute -> base;
            case Relative -> relativeStart;
            case Recurring -> {
                long every = recurrence(p).getSeconds();
                long since = Duration.between(base, at).getSeconds();
                yield base.plusSeconds(Math.floorDiv(since, every) * every);
            }
        };
    }

    static Duration recurrence(ChargingProfile p) {
        return p.recurrencyKind() == RecurrencyKindType.Weekly ? Duration.ofDays(7) : Duration.ofDays(1);
    }

    /**
     * The instants in [from, to) at which a profile of this stack may change what it says: its
     * schedule's starts, period starts and end, validFrom, validTo; {@code from} itself.
     */
    TreeSet<Instant> changes(Instant from, Instant to, Instant relativeStart) {
        TreeSet<Instant> at = new TreeSet<>();
        at.add(from);
        for (CsmsChargingProfile stored : profiles) {
            ChargingProfile p = stored.profile();
            List<Instant> starts = new ArrayList<>();
            if (p.chargingProfileKind() == ChargingProfileKindType.Recurring) {
                Duration every = recurrence(p);
                for (Instant s = scheduleStart(stored, from, relativeStart); s.isBefore(to); s = s.plus(every)) {
                    starts.add(s);
                }
            } else {
                starts.add(scheduleStart(stored, from, relativeStart));
            }
            for (Instant s : starts) {
                for (ChargingSchedulePeriod period : p.chargingSchedule().chargingSchedulePeriod()) {
                    at.add(s.plusSeconds(period.startPeriod()));
                }
                if (p.chargingSchedule().duration() != null) {
                    at.add(s.plusSeconds(p.chargingSchedule().duration()));
                }
            }
            if (p.validFrom() != null) {
                at.add(p.validFrom());
            }
            if (p.validTo() != null) {
                at.add(p.validTo());
            }
        }
        return new TreeSet<>(at.subSet(from, true, to, false));
    }

    static OptionalDouble min(OptionalDouble a, OptionalDouble b) {
        if (a.isEmpty()) {
            return b;
        }
        return b.isEmpty() ? a : OptionalDouble.of(Math.min(a.getAsDouble(), b.getAsDouble()));
    }

    static double floorTenth(double value) {
        return Math.floor(value * 10 + 1e-9) / 10;
    }
}
