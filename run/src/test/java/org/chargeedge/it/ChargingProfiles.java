package org.chargeedge.it;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The charging profiles an OCPP 1.6 charge point with one connector keeps, and the limit they give at an instant,
 * as section 3.13 of the specification describes them. For {@link WireCharger}; not thread-safe (the charger
 * guards it with its own lock).
 *
 * <ul>
 * <li>A profile replaces the one with the same chargingProfileId, and the one with the same purpose and
 * stackLevel on the same connector; otherwise it is added.</li>
 * <li>ChargePointMaxProfile only on connector 0; TxProfile only on connector 1 while a transaction runs there
 * (and, if it names one, for that transaction); TxDefaultProfile on 0 (every connector) or 1. A stackLevel above
 * {@link #MAX_STACK_LEVEL} (ChargeProfileMaxStackLevel) is rejected, as is a schedule whose first period does not
 * start at 0.</li>
 * <li>Of each purpose, the profile in force is the one of the highest stackLevel that is valid at the instant
 * (validFrom, validTo) and whose schedule has a period then (Absolute from startSchedule, Relative from the
 * transaction's start, Recurring Daily or Weekly from startSchedule repeated; not past its duration); at the same
 * stackLevel, a TxDefaultProfile on connector 1 wins over one on connector 0.</li>
 * <li>The limit is the lower of the ChargePointMaxProfile's and the TxProfile's, or the TxDefaultProfile's while
 * no TxProfile is in force.</li>
 * <li>A transaction's TxProfiles are deleted when it ends.</li>
 * </ul>
 */
final class ChargingProfiles {

    /** ChargeProfileMaxStackLevel, as the charger reports it. */
    static final int MAX_STACK_LEVEL = 8;

    enum Purpose {
        ChargePointMaxProfile, TxDefaultProfile, TxProfile
    }

    record Period(long startSeconds, double limit, Integer numberPhases) {
    }

    /** One installed profile; {@code received} stands in for a missing startSchedule of an Absolute one. */
    record Profile(int id, int connectorId, Integer transactionId, int stackLevel, Purpose purpose, String kind,
                   String recurrency, Instant validFrom, Instant validTo, Instant startSchedule, Long durationSeconds,
                   String unit, List<Period> periods, Instant received) {

        /** The period in force at {@code now}, if its schedule has one then. */
        Optional<Period> periodAt(Instant now, Instant transactionStart) {
            if ((validFrom != null && now.isBefore(validFrom)) || (validTo != null && !now.isBefore(validTo))) {
                return Optional.empty();
            }
            Instant start = switch (kind) {
                case "Relative" -> transactionStart != null ? transactionStart : now;
                case "Recurring" -> recurrenceStart(now);
                default -> startSchedule != null ? startSchedule : received;
            };
            long offsetMs = Duration.between(start, now).toMillis();
            if (offsetMs < 0 || (durationSeconds != null && offsetMs >= durationSeconds * 1000)) {
                return Optional.empty();
            }
            Period in = null;
            for (Period p : periods) {
                if (p.startSeconds() * 1000 <= offsetMs) {
                    in = p;
                }
            }
            return Optional.ofNullable(in);
        }

        private Instant recurrenceStart(Instant now) {
            Instant base = startSchedule != null ? startSchedule : received;
            long every = "Weekly".equals(recurrency) ? 7 * 86_400_000L : 86_400_000L;
            long n = Math.floorDiv(Duration.between(base, now).toMillis(), every);
            return base.plusMillis(n * every);
        }
    }

    private final List<Profile> installed = new ArrayList<>();

    /**
     * SetChargingProfile.req: {@code Accepted} or {@code Rejected}.
     *
     * @param transactionId the transaction running on connector 1, null if none
     */
    String set(int connectorId, JsonNode csChargingProfiles, Integer transactionId, Instant now) {
        Profile p;
        try {
            p = parse(connectorId, csChargingProfiles, now);
        } catch (RuntimeException e) {
            return "Rejected";
        }
        if (p == null || connectorId < 0 || connectorId > 1 || p.stackLevel() < 0
                || p.stackLevel() > MAX_STACK_LEVEL) {
            return "Rejected";
        }
        switch (p.purpose()) {
            case ChargePointMaxProfile -> {
                if (connectorId != 0) {
                    return "Rejected";
                }
            }
            case TxProfile -> {
                if (connectorId != 1 || transactionId == null
                        || (p.transactionId() != null && !p.transactionId().equals(transactionId))) {
                    return "Rejected";
                }
            }
            default -> {
            }
        }
        installed.removeIf(q -> q.id() == p.id() || (q.purpose() == p.purpose() && q.stackLevel() == p.stackLevel()
                && q.connectorId() == p.connectorId()));
        installed.add(p);
        return "Accepted";
    }

    private static Profile parse(int connectorId, JsonNode p, Instant now) {
        Purpose purpose = Purpose.valueOf(p.path("chargingProfilePurpose").asText());
        String kind = p.path("chargingProfileKind").asText();
        if (!kind.equals("Absolute") && !kind.equals("Relative") && !kind.equals("Recurring")) {
            return null;
        }
        JsonNode s = p.path("chargingSchedule");
        String unit = s.path("chargingRateUnit").asText();
        if (!unit.equals("A") && !unit.equals("W")) {
            return null;
        }
        List<Period> periods = new ArrayList<>();
        for (JsonNode period : s.path("chargingSchedulePeriod")) {
            if (!period.has("startPeriod") || !period.has("limit")) {
                return null;
            }
            periods.add(new Period(period.get("startPeriod").asLong(), period.get("limit").asDouble(),
                    period.hasNonNull("numberPhases") ? period.get("numberPhases").asInt() : null));
        }
        periods.sort(Comparator.comparingLong(Period::startSeconds));
        if (periods.isEmpty() || periods.get(0).startSeconds() != 0) {
            return null;
        }
        return new Profile(p.path("chargingProfileId").asInt(), connectorId,
                p.hasNonNull("transactionId") ? p.get("transactionId").asInt() : null, p.path("stackLevel").asInt(-1),
                purpose, kind, p.path("recurrencyKind").asText(null), instant(p, "validFrom"), instant(p, "validTo"),
                instant(s, "startSchedule"), s.hasNonNull("duration") ? s.get("duration").asLong() : null, unit,
                List.copyOf(periods), now);
    }

    private static Instant instant(JsonNode node, String field) {
        return node.hasNonNull(field) ? Instant.parse(node.get(field).asText()) : null;
    }

    /**
     * ClearChargingProfile.req: the profile of that id, or those matching connectorId, chargingProfilePurpose and
     * stackLevel where given. {@code Accepted} if one was removed, else {@code Unknown}.
     */
    String clear(JsonNode payload) {
        boolean removed;
        if (payload.hasNonNull("id")) {
            int id = payload.get("id").asInt();
            removed = installed.removeIf(p -> p.id() == id);
        } else {
            Integer connector = payload.hasNonNull("connectorId") ? payload.get("connectorId").asInt() : null;
            String purpose = payload.path("chargingProfilePurpose").asText(null);
            Integer level = payload.hasNonNull("stackLevel") ? payload.get("stackLevel").asInt() : null;
            removed = installed.removeIf(p -> (connector == null || p.connectorId() == connector)
                    && (purpose == null || p.purpose().name().equals(purpose))
                    && (level == null || p.stackLevel() == level));
        }
        return removed ? "Accepted" : "Unknown";
    }

    /** The transaction ended: its TxProfiles are deleted. */
    void transactionEnded() {
        installed.removeIf(p -> p.purpose() == Purpose.TxProfile);
    }

    /** Whether a TxProfile is in force at {@code now}. */
    boolean txProfileInForce(Instant now, Instant transactionStart) {
        return inForce(Purpose.TxProfile, now, transactionStart).isPresent();
    }

    /** The TxDefaultProfile's limit in force at {@code now}, A per phase, or NaN when none is. */
    double defaultLimitA(Instant now, Instant transactionStart, int phases, double volts) {
        return inForce(Purpose.TxDefaultProfile, now, transactionStart).map(x -> amps(x, phases, volts))
                .orElse(Double.NaN);
    }

    /**
     * The limit on connector 1 at {@code now}, A per phase (a limit in W is spread over {@code phases} at
     * {@code volts}), or NaN when no profile limits it.
     */
    double limitA(Instant now, Instant transactionStart, int phases, double volts) {
        double max = inForce(Purpose.ChargePointMaxProfile, now, transactionStart)
                .map(x -> amps(x, phases, volts)).orElse(Double.NaN);
        double tx = inForce(Purpose.TxProfile, now, transactionStart).or(() -> inForce(Purpose.TxDefaultProfile,
                now, transactionStart)).map(x -> amps(x, phases, volts)).orElse(Double.NaN);
        if (Double.isNaN(max)) {
            return tx;
        }
        return Double.isNaN(tx) ? max : Math.min(max, tx);
    }

    private record InForce(Profile profile, Period period) {
    }

    private static double amps(InForce x, int phases, double volts) {
        return x.profile().unit().equals("W") ? x.period().limit() / (volts * phases) : x.period().limit();
    }

    private Optional<InForce> inForce(Purpose purpose, Instant now, Instant transactionStart) {
        return installed.stream().filter(p -> p.purpose() == purpose)
                .sorted(Comparator.comparingInt(Profile::stackLevel).thenComparingInt(Profile::connectorId)
                        .reversed())
                .flatMap(p -> p.periodAt(now, transactionStart).map(period -> new InForce(p, period)).stream())
                .findFirst();
    }
}
