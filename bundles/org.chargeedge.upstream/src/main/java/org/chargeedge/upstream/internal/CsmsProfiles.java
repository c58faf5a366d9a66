package org.chargeedge.upstream.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.chargeedge.api.charger.ChargerInfo;
import org.chargeedge.api.charger.ConnectorInfo;
import org.chargeedge.api.charger.SiteView;
import org.chargeedge.api.charger.TransactionInfo;
import org.chargeedge.api.smartcharging.CsmsLimits;
import org.chargeedge.api.smartcharging.GatewayLimits;
import org.chargeedge.api.store.CsmsChargingProfile;
import org.chargeedge.api.store.CsmsChargingProfiles;
import org.chargeedge.ocpp.rpc.ErrorCode;
import org.chargeedge.ocpp.v16.ChargingProfile;
import org.chargeedge.ocpp.v16.ChargingProfilePurposeType;
import org.chargeedge.ocpp.v16.ChargingProfileStatus;
import org.chargeedge.ocpp.v16.ChargingRateUnitType;
import org.chargeedge.ocpp.v16.ChargingSchedule;
import org.chargeedge.ocpp.v16.ChargingSchedulePeriod;
import org.chargeedge.ocpp.v16.ClearChargingProfileConfirmation;
import org.chargeedge.ocpp.v16.ClearChargingProfileRequest;
import org.chargeedge.ocpp.v16.ClearChargingProfileStatus;
import org.chargeedge.ocpp.v16.GetCompositeScheduleConfirmation;
import org.chargeedge.ocpp.v16.GetCompositeScheduleRequest;
import org.chargeedge.ocpp.v16.GetCompositeScheduleStatus;
import org.chargeedge.ocpp.v16.SetChargingProfileConfirmation;
import org.chargeedge.ocpp.v16.SetChargingProfileRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CSMS's smart-charging calls, answered by the gateway in the charger's place: the gateway is
 * the only master of a charger's profiles, so SetChargingProfile, ClearChargingProfile and
 * GetCompositeSchedule never reach the charger. The CSMS's profiles are kept in the store and
 * bound the balancer's limits through {@link CsmsLimits}.
 *
 * <p>Threads: each charger's calls come from its link's endpoint, one at a time, so a charger's
 * stack is written by one call at a time; the balancer's thread and the shell read. The stacks
 * are immutable and replaced whole in {@link #stacks} once the store has committed.
 */
final class CsmsProfiles implements CsmsLimits {

    private static final Logger LOG = LoggerFactory.getLogger(CsmsProfiles.class);
    /** What a charger holds at most (its MaxChargingProfilesInstalled): a CSMS cannot fill the store. */
    static final int MAX_PROFILES_PER_CHARGER = 32;
    /** Periods per schedule at most (ChargingScheduleMaxPeriods). */
    static final int MAX_PERIODS = 48;
    /** The longest composite schedule answered; a longer request is answered for this long. */
    static final Duration MAX_COMPOSITE = Duration.ofDays(7);
    private static final int COMPOSITE_PHASES = 3;

    private final CsmsChargingProfiles store;
    private final SiteView site;
    private final Supplier<GatewayLimits> gateway;
    private final double voltage;
    private final Clock clock;
    /**
     * Each charger's stack, by charge point id. Shared on purpose: written by the charger's link
     * thread (one CSMS call at a time per charger, so one writer per key), read by the balancer's
     * thread; values are immutable and replaced whole.
     */
    private final Map<String, ProfileStack> stacks = new ConcurrentHashMap<>();

    CsmsProfiles(CsmsChargingProfiles store, SiteView site, Supplier<GatewayLimits> gateway, double voltage,
                 Clock clock) {
        this.store = store;
        this.site = site;
        this.gateway = gateway;
        this.voltage = voltage;
        this.clock = clock;
        Map<String, List<CsmsChargingProfile>> kept;
        try {
            kept = store.profiles().stream().collect(Collectors.groupingBy(CsmsChargingProfile::chargePointId));
        } catch (RuntimeException e) {
            // The link must run all the same (the site waits for it); the balancer still keeps the grid
            // limits, only the CSMS's bounds are missing, and the CSMS can set them again.
            LOG.error("The CSMS's charging profiles cannot be read from the store ({}): they do not bound the"
                    + " chargers until the CSMS sets them again", e.toString());
            kept = Map.of();
        }
        kept.forEach((id, list) -> stacks.put(id, new ProfileStack(list, voltage)));
        if (!kept.isEmpty()) {
            LOG.info("CSMS charging profiles kept for {} charger(s): {}", kept.size(), kept.entrySet().stream()
                    .map(e -> e.getKey() + " " + e.getValue().size()).collect(Collectors.joining(", ")));
        }
    }

    /** The chargers with profiles kept, for the shell. */
    List<String> chargers() {
        return stacks.entrySet().stream().filter(e -> !e.getValue().profiles().isEmpty()).map(Map.Entry::getKey)
                .sorted().toList();
    }

    /** A charger's profiles, for the shell. */
    List<CsmsChargingProfile> profiles(String chargePointId) {
        return stack(chargePointId).profiles();
    }

    private ProfileStack stack(String chargePointId) {
        return stacks.getOrDefault(chargePointId, new ProfileStack(List.of(), voltage));
    }

    // ---- CsmsLimits -------------------------------------------------------------------------

    @Override
    public OptionalDouble limitA(String chargePointId, int connectorId, Instant at, int phases) {
        ProfileStack stack = stacks.get(chargePointId);
        if (stack == null) {
            return OptionalDouble.empty();
        }
        Optional<ChargerInfo> charger = site.charger(chargePointId);
        Optional<ProfileStack.Transaction> running = charger.flatMap(c -> running(c, connectorId));
        int usedPhases = Math.max(1, Math.min(3, phases));
        OptionalDouble session = stack.sessionLimitA(connectorId, at, running, usedPhases);
        OptionalDouble max = stack.chargePointMaxA(at, running, usedPhases);
        if (max.isPresent()) {
            // The ChargePointMaxProfile bounds the charge point as a whole: its connectors in a
            // transaction share it, so their sum never exceeds it.
            long sharing = charger.map(c -> c.openTransactions().size()).orElse(0);
            max = OptionalDouble.of(ProfileStack.floorTenth(max.getAsDouble() / Math.max(1, sharing)));
        }
        return ProfileStack.min(session, max);
    }

    private static Optional<ProfileStack.Transaction> running(ChargerInfo charger, int connectorId) {
        return charger.openTransactions().stream().filter(t -> t.connectorId() == connectorId).findFirst()
                .map(t -> new ProfileStack.Transaction(t.transactionId(), t.startedAt()));
    }

    // ---- SetChargingProfile -----------------------------------------------------------------

    CompletionStage<String> set(String chargePointId, String messageId, SetChargingProfileRequest request) {
        Instant now = clock.instant();
        int connectorId = request.connectorId();
        ChargingProfile profile = request.csChargingProfiles();
        Optional<ChargerInfo> charger = site.charger(chargePointId);
        Optional<String> problem = charger.isEmpty() ? Optional.of("the charger is not known to the site")
                : invalid(charger.get(), connectorId, profile);
        if (problem.isPresent()) {
            LOG.warn("{}: SetChargingProfile {} from the CSMS answered Rejected: {}", chargePointId,
                    profile.chargingProfileId(), problem.get());
            return answer(messageId, new SetChargingProfileConfirmation(ChargingProfileStatus.Rejected));
        }
        if (profile.chargingProfilePurpose() == ChargingProfilePurposeType.TxProfile
                && profile.transactionId() == null) {
            // A TxProfile without an id is meant for the transaction running on the connector.
            int tx = running(charger.get(), connectorId).orElseThrow().transactionId();
            profile = new ChargingProfile(profile.chargingProfileId(), tx, profile.stackLevel(),
                    profile.chargingProfilePurpose(), profile.chargingProfileKind(), profile.recurrencyKind(),
                    profile.validFrom(), profile.validTo(), profile.chargingSchedule());
        }
        CsmsChargingProfile kept = new CsmsChargingProfile(chargePointId, connectorId, profile, now);
        List<Integer> replaced = new ArrayList<>();
        List<CsmsChargingProfile> remaining = new ArrayList<>();
        for (CsmsChargingProfile p : stack(chargePointId).profiles()) {
            if (replaces(kept, p) || over(p, charger.get(), now)) {
                replaced.add(p.profileId());
            } else {
                remaining.add(p);
            }
        }
        if (remaining.size() >= MAX_PROFILES_PER_CHARGER) {
            LOG.warn("{}: SetChargingProfile {} from the CSMS answered Rejected: the charger holds {} profiles"
                    + " already", chargePointId, profile.chargingProfileId(), remaining.size());
            return answer(messageId, new SetChargingProfileConfirmation(ChargingProfileStatus.Rejected));
        }
        remaining.add(kept);
        return store.putProfile(kept, replaced).handle((ok, failure) -> {
            if (failure != null) {
                LOG.error("{}: SetChargingProfile {} from the CSMS cannot be stored: {}", chargePointId,
                        kept.profileId(), failure.getMessage());
                return Payloads.codec().encodeCallError(messageId, ErrorCode.InternalError,
                        "the site gateway cannot store the charging profile");
            }
            stacks.put(chargePointId, new ProfileStack(remaining, voltage));
            LOG.info("{}: CSMS charging profile {} ({} on connector {}, stack level {}) kept as an upper bound",
                    chargePointId, kept.profileId(), kept.profile().chargingProfilePurpose(), connectorId,
                    kept.profile().stackLevel());
            return Payloads.codec().encodeCallResult(messageId,
                    new SetChargingProfileConfirmation(ChargingProfileStatus.Accepted));
        });
    }

    /** Why a charger would reject the profile, if it would. */
    private static Optional<String> invalid(ChargerInfo charger, int connectorId, ChargingProfile profile) {
        if (connectorId > 0 && !knows(charger, connectorId)) {
            return Optional.of("connector " + connectorId + " is unknown");
        }
        ChargingProfilePurposeType purpose = profile.chargingProfilePurpose();
        if (purpose == ChargingProfilePurposeType.ChargePointMaxProfile && connectorId != 0) {
            return Optional.of("a ChargePointMaxProfile is set on connector 0 only");
        }
        if (purpose != ChargingProfilePurposeType.TxProfile && profile.transactionId() != null) {
            return Optional.of("only a TxProfile names a transaction");
        }
        if (purpose == ChargingProfilePurposeType.TxProfile) {
            if (connectorId == 0) {
                return Optional.of("a TxProfile is set on a connector, not on connector 0");
            }
            Optional<ProfileStack.Transaction> running = running(charger, connectorId);
            if (running.isEmpty()) {
                return Optional.of("no transaction runs on connector " + connectorId);
            }
            if (profile.transactionId() != null && profile.transactionId() != running.get().transactionId()) {
                return Optional.of("transaction " + profile.transactionId() + " does not run on connector "
                        + connectorId);
            }
        }
        ChargingSchedule s = profile.chargingSchedule();
        List<ChargingSchedulePeriod> periods = s.chargingSchedulePeriod();
        if (periods.size() > MAX_PERIODS) {
            return Optional.of(periods.size() + " periods, more than " + MAX_PERIODS);
        }
        if (periods.get(0).startPeriod() != 0) {
            return Optional.of("the first period does not start at 0");
        }
        for (int i = 1; i < periods.size(); i++) {
            if (periods.get(i).startPeriod() <= periods.get(i - 1).startPeriod()) {
                return Optional.of("the periods' startPeriod do not increase");
            }
        }
        if (profile.validFrom() != null && profile.validTo() != null && !profile.validTo().isAfter(profile.validFrom())) {
            return Optional.of("validTo is not after validFrom");
        }
        return Optional.empty();
    }

    private static boolean knows(ChargerInfo charger, int connectorId) {
        return charger.connectors().stream().mapToInt(ConnectorInfo::connectorId).anyMatch(c -> c == connectorId)
                || charger.openTransactions().stream().mapToInt(TransactionInfo::connectorId)
                        .anyMatch(c -> c == connectorId);
    }

    /** OCPP 1.6: the same id, or the same purpose and stack level (on the same connector), replaces. */
    private static boolean replaces(CsmsChargingProfile set, CsmsChargingProfile old) {
        return old.profileId() == set.profileId()
                || old.connectorId() == set.connectorId()
                && old.profile().chargingProfilePurpose() == set.profile().chargingProfilePurpose()
                && old.profile().stackLevel() == set.profile().stackLevel();
    }

    /** A profile that can never apply again: past its validTo, or a TxProfile whose transaction ended. */
    private static boolean over(CsmsChargingProfile p, ChargerInfo charger, Instant now) {
        if (p.profile().validTo() != null && !now.isBefore(p.profile().validTo())) {
            return true;
        }
        return p.profile().chargingProfilePurpose() == ChargingProfilePurposeType.TxProfile
                && running(charger, p.connectorId()).map(t -> t.transactionId() != p.profile().transactionId())
                        .orElse(true);
    }

    // ---- ClearChargingProfile ---------------------------------------------------------------

    CompletionStage<String> clear(String chargePointId, String messageId, ClearChargingProfileRequest request) {
        List<CsmsChargingProfile> all = stack(chargePointId).profiles();
        List<Integer> cleared = new ArrayList<>();
        List<CsmsChargingProfile> remaining = new ArrayList<>();
        for (CsmsChargingProfile p : all) {
            if (matches(request, p)) {
                cleared.add(p.profileId());
            } else {
                remaining.add(p);
            }
        }
        if (cleared.isEmpty()) {
            return answer(messageId, new ClearChargingProfileConfirmation(ClearChargingProfileStatus.Unknown));
        }
        return store.removeProfiles(chargePointId, cleared).handle((ok, failure) -> {
            if (failure != null) {
                LOG.error("{}: ClearChargingProfile from the CSMS cannot be stored: {}", chargePointId,
                        failure.getMessage());
                return Payloads.codec().encodeCallError(messageId, ErrorCode.InternalError,
                        "the site gateway cannot store the change");
            }
            stacks.put(chargePointId, new ProfileStack(remaining, voltage));
            LOG.info("{}: CSMS charging profile(s) {} cleared", chargePointId, cleared);
            return Payloads.codec().encodeCallResult(messageId,
                    new ClearChargingProfileConfirmation(ClearChargingProfileStatus.Accepted));
        });
    }

    /** By id alone when an id is given; else every criterion given must match. */
    private static boolean matches(ClearChargingProfileRequest r, CsmsChargingProfile p) {
        if (r.id() != null) {
            return p.profileId() == r.id();
        }
        return (r.connectorId() == null || r.connectorId() == p.connectorId())
                && (r.chargingProfilePurpose() == null || r.chargingProfilePurpose() == p.profile()
                        .chargingProfilePurpose())
                && (r.stackLevel() == null || r.stackLevel() == p.profile().stackLevel());
    }

    // ---- GetCompositeSchedule ---------------------------------------------------------------

    CompletionStage<String> composite(String chargePointId, String messageId, GetCompositeScheduleRequest request) {
        Optional<ChargerInfo> charger = site.charger(chargePointId);
        int connectorId = request.connectorId();
        if (charger.isEmpty() || connectorId > 0 && !knows(charger.get(), connectorId)) {
            LOG.warn("{}: GetCompositeSchedule for connector {} from the CSMS answered Rejected: unknown connector",
                    chargePointId, connectorId);
            return answer(messageId, new GetCompositeScheduleConfirmation(GetCompositeScheduleStatus.Rejected,
                    null, null, null));
        }
        Instant from = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        long seconds = Math.min(request.duration(), MAX_COMPOSITE.getSeconds());
        ChargingRateUnitType unit = request.chargingRateUnit() == null ? ChargingRateUnitType.A
                : request.chargingRateUnit();
        OptionalDouble local = connectorId == 0 || gateway.get() == null ? OptionalDouble.empty()
                : gateway.get().limitA(chargePointId, connectorId);
        Optional<ChargingSchedule> schedule = compose(stack(chargePointId), connectorId,
                running(charger.get(), connectorId), local, from, seconds, unit, voltage);
        if (schedule.isEmpty()) {
            return answer(messageId, new GetCompositeScheduleConfirmation(GetCompositeScheduleStatus.Rejected,
                    null, null, null));
        }
        return answer(messageId, new GetCompositeScheduleConfirmation(GetCompositeScheduleStatus.Accepted,
                connectorId, schedule.get().startSchedule(), schedule.get()));
    }

    /**
     * The composite schedule of a connector from {@code from} for {@code seconds}: at every instant
     * the lowest of the CSMS's profiles (for connector 0 its ChargePointMaxProfile alone) and the
     * gateway's current limit, in {@code unit} ({@value #COMPOSITE_PHASES} phases for conversions).
     * It starts at the first instant something bounds the connector and ends where nothing does
     * any more (or after {@code seconds}); empty when nothing bounds it at all.
     */
    static Optional<ChargingSchedule> compose(ProfileStack stack, int connectorId,
                                              Optional<ProfileStack.Transaction> running, OptionalDouble gatewayA,
                                              Instant from, long seconds, ChargingRateUnitType unit, double voltage) {
        Instant to = from.plusSeconds(seconds);
        Instant relativeStart = running.map(ProfileStack.Transaction::startedAt).orElse(from);
        Instant start = null;
        Instant end = to;
        List<ChargingSchedulePeriod> periods = new ArrayList<>();
        Double last = null;
        for (Instant at : stack.changes(from, to, relativeStart)) {
            OptionalDouble amps = connectorId == 0 ? stack.chargePointMaxA(at, running, COMPOSITE_PHASES)
                    : ProfileStack.min(stack.limitA(connectorId, at, running, COMPOSITE_PHASES), gatewayA);
            if (amps.isEmpty()) {
                if (start != null) {
                    end = at;
                    break;
                }
                continue;
            }
            if (start == null) {
                start = at;
            }
            double limit = unit == ChargingRateUnitType.A ? amps.getAsDouble()
                    : Math.floor(amps.getAsDouble() * voltage * COMPOSITE_PHASES * 10) / 10;
            if (last == null || last != limit) {
                periods.add(new ChargingSchedulePeriod((int) Duration.between(start, at).getSeconds(), limit,
                        null));
                last = limit;
            }
        }
        if (start == null) {
            return Optional.empty();
        }
        return Optional.of(new ChargingSchedule((int) Duration.between(start, end).getSeconds(), start, unit,
                periods, null));
    }

    private static <T extends org.chargeedge.ocpp.v16.Confirmation> CompletionStage<String> answer(String messageId,
                                                                                                   T confirmation) {
        return CompletableFuture.completedFuture(Payloads.codec().encodeCallResult(messageId, confirmation));
    }
}
