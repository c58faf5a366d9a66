package org.chargeedge.upstream.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

import org.chargeedge.api.store.CsmsChargingProfile;
import org.chargeedge.ocpp.v16.ChargingProfile;
import org.chargeedge.ocpp.v16.ChargingProfileKindType;
import org.chargeedge.ocpp.v16.ChargingProfilePurposeType;
import org.chargeedge.ocpp.v16.ChargingRateUnitType;
import org.chargeedge.ocpp.v16.ChargingSchedule;
import org.chargeedge.ocpp.v16.ChargingSchedulePeriod;
import org.chargeedge.ocpp.v16.RecurrencyKindType;
import org.junit.jupiter.api.Test;

/** The OCPP 1.6 evaluation of a charger's CSMS profiles, on examples. */
class ProfileStackTest {

    static final Instant T = Instant.parse("2026-03-02T08:00:00Z");
    static final ChargingProfilePurposeType MAX = ChargingProfilePurposeType.ChargePointMaxProfile;
    static final ChargingProfilePurposeType DEFAULT = ChargingProfilePurposeType.TxDefaultProfile;
    static final ChargingProfilePurposeType TX = ChargingProfilePurposeType.TxProfile;
    static final Optional<ProfileStack.Transaction> NONE = Optional.empty();

    /** An Absolute profile starting at T with periods (startPeriod, limit, startPeriod, limit, ...). */
    static CsmsChargingProfile absolute(int id, int connector, ChargingProfilePurposeType purpose, int level,
                                        ChargingRateUnitType unit, double... periods) {
        return profile(id, connector, purpose, level, ChargingProfileKindType.Absolute, null, null, null, null,
                unit, periods);
    }

    static CsmsChargingProfile profile(int id, int connector, ChargingProfilePurposeType purpose, int level,
                                       ChargingProfileKindType kind, RecurrencyKindType recurrency, Integer tx,
                                       Instant validTo, Integer duration, ChargingRateUnitType unit,
                                       double... periods) {
        List<ChargingSchedulePeriod> list = new java.util.ArrayList<>();
        for (int i = 0; i < periods.length; i += 2) {
            list.add(new ChargingSchedulePeriod((int) periods[i], periods[i + 1], null));
        }
        Instant start = kind == ChargingProfileKindType.Relative ? null : T;
        return new CsmsChargingProfile("CP-1", connector, new ChargingProfile(id, tx, level, purpose, kind,
                recurrency, null, validTo, new ChargingSchedule(duration, start, unit, list, null)), T);
    }

    static ProfileStack stack(CsmsChargingProfile... profiles) {
        return new ProfileStack(List.of(profiles), 230);
    }

    @Test
    void noProfileNoLimit() {
        assertThat(stack().limitA(1, T, NONE, 3)).isEmpty();
    }

    @Test
    void theHighestStackLevelPrevailsWhileItsScheduleRuns() {
        ProfileStack s = stack(absolute(1, 0, DEFAULT, 0, ChargingRateUnitType.A, 0, 16),
                profile(2, 0, DEFAULT, 5, ChargingProfileKindType.Absolute, null, null, null, 600,
                        ChargingRateUnitType.A, 0, 25));
        assertThat(s.limitA(1, T.plusSeconds(10), NONE, 3)).hasValue(25);
        // Its duration is over: the lower level applies again.
        assertThat(s.limitA(1, T.plusSeconds(600), NONE, 3)).hasValue(16);
        // Before any schedule starts, nothing bounds.
        assertThat(s.limitA(1, T.minusSeconds(1), NONE, 3)).isEmpty();
    }

    @Test
    void periodsFollowEachOther() {
        ProfileStack s = stack(absolute(1, 1, DEFAULT, 0, ChargingRateUnitType.A, 0, 32, 3600, 10, 7200, 20));
        assertThat(s.limitA(1, T.plusSeconds(3599), NONE, 3)).hasValue(32);
        assertThat(s.limitA(1, T.plusSeconds(3600), NONE, 3)).hasValue(10);
        assertThat(s.limitA(1, T.plusSeconds(90_000), NONE, 3)).hasValue(20);
    }

    @Test
    void theTxProfileReplacesTheDefaultOnlyDuringItsTransaction() {
        ProfileStack s = stack(absolute(1, 0, DEFAULT, 0, ChargingRateUnitType.A, 0, 16),
                profile(2, 1, TX, 0, ChargingProfileKindType.Absolute, null, 41, null, null,
                        ChargingRateUnitType.A, 0, 24));
        Optional<ProfileStack.Transaction> tx41 = Optional.of(new ProfileStack.Transaction(41, T));
        Optional<ProfileStack.Transaction> tx42 = Optional.of(new ProfileStack.Transaction(42, T));
        // Higher than the default: the TxProfile replaces it, it does not add to it.
        assertThat(s.limitA(1, T.plusSeconds(5), tx41, 3)).hasValue(24);
        assertThat(s.limitA(1, T.plusSeconds(5), tx42, 3)).hasValue(16);
        assertThat(s.limitA(1, T.plusSeconds(5), NONE, 3)).hasValue(16);
        // Another connector has no TxProfile.
        assertThat(s.limitA(2, T.plusSeconds(5), tx41, 3)).hasValue(16);
    }

    @Test
    void theConnectorsOwnDefaultWinsOverTheChargePointsAndTheMaximumBoundsBoth() {
        ProfileStack s = stack(absolute(1, 0, DEFAULT, 3, ChargingRateUnitType.A, 0, 16),
                absolute(2, 2, DEFAULT, 0, ChargingRateUnitType.A, 0, 28),
                absolute(3, 0, MAX, 0, ChargingRateUnitType.A, 0, 20));
        assertThat(s.limitA(1, T, NONE, 3)).hasValue(16);
        assertThat(s.limitA(2, T, NONE, 3)).hasValue(20);
        assertThat(s.sessionLimitA(2, T, NONE, 3)).hasValue(28);
        assertThat(s.chargePointMaxA(T, NONE, 3)).hasValue(20);
    }

    @Test
    void wattsAreAmpsOverTheVoltageAndThePhasesRoundedDown() {
        ProfileStack s = stack(absolute(1, 1, DEFAULT, 0, ChargingRateUnitType.W, 0, 11_000));
        assertThat(s.limitA(1, T, NONE, 3)).hasValue(15.9);
        assertThat(s.limitA(1, T, NONE, 1)).hasValue(47.8);
    }

    @Test
    void validToEndsAProfile() {
        ProfileStack s = stack(profile(1, 1, DEFAULT, 0, ChargingProfileKindType.Absolute, null, null,
                T.plusSeconds(60), null, ChargingRateUnitType.A, 0, 8));
        assertThat(s.limitA(1, T.plusSeconds(59), NONE, 3)).hasValue(8);
        assertThat(s.limitA(1, T.plusSeconds(60), NONE, 3)).isEmpty();
    }

    @Test
    void aDailyProfileRecursEveryDay() {
        // 16 A from 08:00 for two hours, every day; 32 A for the rest of the day.
        ProfileStack s = stack(profile(1, 0, MAX, 0, ChargingProfileKindType.Recurring, RecurrencyKindType.Daily,
                null, null, 86_400, ChargingRateUnitType.A, 0, 16, 7200, 32));
        assertThat(s.limitA(1, T.plusSeconds(3 * 86_400 + 60), NONE, 3)).hasValue(16);
        assertThat(s.limitA(1, T.plusSeconds(3 * 86_400 + 7200), NONE, 3)).hasValue(32);
        // Before its first day too: a recurrence has no beginning.
        assertThat(s.limitA(1, T.minusSeconds(86_400 - 60), NONE, 3)).hasValue(16);
        assertThat(s.limitA(1, T.minusSeconds(60), NONE, 3)).hasValue(32);
    }

    @Test
    void aWeeklyProfileRecursEveryWeek() {
        ProfileStack s = stack(profile(1, 0, MAX, 0, ChargingProfileKindType.Recurring, RecurrencyKindType.Weekly,
                null, null, 86_400, ChargingRateUnitType.A, 0, 10));
        assertThat(s.limitA(1, T.plusSeconds(7 * 86_400 + 5), NONE, 3)).hasValue(10);
        assertThat(s.limitA(1, T.plusSeconds(86_400 + 5), NONE, 3)).isEmpty();
    }

    @Test
    void aRelativeProfileCountsFromTheTransactionsStart() {
        ProfileStack s = stack(profile(1, 1, DEFAULT, 0, ChargingProfileKindType.Relative, null, null, null, null,
                ChargingRateUnitType.A, 0, 6, 1800, 32));
        Optional<ProfileStack.Transaction> started = Optional.of(new ProfileStack.Transaction(7, T));
        assertThat(s.limitA(1, T.plusSeconds(1799), started, 3)).hasValue(6);
        assertThat(s.limitA(1, T.plusSeconds(1800), started, 3)).hasValue(32);
        // Without a transaction it starts now: its first period.
        assertThat(s.limitA(1, T.plusSeconds(5000), NONE, 3)).hasValue(6);
    }

    @Test
    void theCompositeScheduleFollowsTheStackAndTheGatewaysLimit() {
        ProfileStack s = stack(absolute(1, 0, DEFAULT, 0, ChargingRateUnitType.A, 0, 16, 600, 8),
                absolute(2, 0, MAX, 0, ChargingRateUnitType.A, 0, 32, 900, 12));
        ChargingSchedule c = CsmsProfiles.compose(s, 1, NONE, OptionalDouble.of(14), T, 1200, ChargingRateUnitType.A,
                230).orElseThrow();
        assertThat(c.startSchedule()).isEqualTo(T);
        assertThat(c.duration()).isEqualTo(1200);
        assertThat(c.chargingSchedulePeriod()).extracting(ChargingSchedulePeriod::startPeriod,
                ChargingSchedulePeriod::limit).containsExactly(org.assertj.core.groups.Tuple.tuple(0, 14.0),
                org.assertj.core.groups.Tuple.tuple(600, 8.0));

        ChargingSchedule w = CsmsProfiles.compose(s, 0, NONE, OptionalDouble.empty(), T, 1200,
                ChargingRateUnitType.W, 230).orElseThrow();
        assertThat(w.chargingRateUnit()).isEqualTo(ChargingRateUnitType.W);
        assertThat(w.chargingSchedulePeriod()).extracting(ChargingSchedulePeriod::startPeriod,
                ChargingSchedulePeriod::limit).containsExactly(org.assertj.core.groups.Tuple.tuple(0, 32 * 230 * 3.0),
                org.assertj.core.groups.Tuple.tuple(900, 12 * 230 * 3.0));

        assertThat(CsmsProfiles.compose(stack(), 1, NONE, OptionalDouble.empty(), T, 600, ChargingRateUnitType.A,
                230)).isEmpty();
    }

    @Test
    void theCompositeEndsWhereNothingBoundsTheConnectorAnyMore() {
        ProfileStack s = stack(profile(1, 1, DEFAULT, 0, ChargingProfileKindType.Absolute, null, null, null, 300,
                ChargingRateUnitType.A, 0, 10));
        ChargingSchedule c = CsmsProfiles.compose(s, 1, NONE, OptionalDouble.empty(), T.plusSeconds(100), 3600,
                ChargingRateUnitType.A, 230).orElseThrow();
        assertThat(c.duration()).isEqualTo(200);
        assertThat(c.chargingSchedulePeriod()).singleElement().satisfies(p -> assertThat(p.limit()).isEqualTo(10));
    }

    @Test
    void profilesTheStoreCannotReadBoundNothingAndDoNotStopTheLink() {
        org.chargeedge.api.store.CsmsChargingProfiles unreadable = (org.chargeedge.api.store.CsmsChargingProfiles)
                java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                        new Class<?>[] {org.chargeedge.api.store.CsmsChargingProfiles.class}, (proxy, method, args) -> {
                            throw new org.chargeedge.api.store.StoreException("a row written by a newer gateway", null);
                        });
        CsmsProfiles profiles = new CsmsProfiles(unreadable, null, () -> null, 230, java.time.Clock.systemUTC());
        assertThat(profiles.limitA("CP-1", 1, T, 3)).isEmpty();
        assertThat(profiles.chargers()).isEmpty();
    }
}
