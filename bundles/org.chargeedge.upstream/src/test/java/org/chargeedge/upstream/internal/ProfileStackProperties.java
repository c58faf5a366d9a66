package org.chargeedge.upstream.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.IntStream;

import org.chargeedge.api.store.CsmsChargingProfile;
import org.chargeedge.ocpp.v16.ChargingProfile;
import org.chargeedge.ocpp.v16.ChargingProfileKindType;
import org.chargeedge.ocpp.v16.ChargingProfilePurposeType;
import org.chargeedge.ocpp.v16.ChargingRateUnitType;
import org.chargeedge.ocpp.v16.ChargingSchedule;
import org.chargeedge.ocpp.v16.ChargingSchedulePeriod;
import org.chargeedge.ocpp.v16.RecurrencyKindType;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** The profile stack on random stacks: what it answers is always a limit in force, and a maximum always binds. */
class ProfileStackProperties {

    private static final Instant T = ProfileStackTest.T;
    private static final double VOLTAGE = 230;

    record Case(List<CsmsChargingProfile> profiles, int connector, int offset, Integer transaction, int phases) {
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<List<CsmsChargingProfile>> profiles = profile().list().ofMaxSize(8).map(list -> {
            // Ids as a charger holds them: unique.
            List<CsmsChargingProfile> unique = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                CsmsChargingProfile p = list.get(i);
                ChargingProfile c = p.profile();
                unique.add(new CsmsChargingProfile(p.chargePointId(), p.connectorId(), new ChargingProfile(i + 1,
                        c.transactionId(), c.stackLevel(), c.chargingProfilePurpose(), c.chargingProfileKind(),
                        c.recurrencyKind(), c.validFrom(), c.validTo(), c.chargingSchedule()), p.setAt()));
            }
            return unique;
        });
        return Combinators.combine(profiles, Arbitraries.integers().between(1, 2),
                Arbitraries.integers().between(-90_000, 200_000), Arbitraries.of(1, 2).injectNull(0.3),
                Arbitraries.integers().between(1, 3)).as(Case::new);
    }

    private Arbitrary<CsmsChargingProfile> profile() {
        Arbitrary<ChargingProfilePurposeType> purpose = Arbitraries.of(ChargingProfilePurposeType.class);
        Arbitrary<ChargingProfileKindType> kind = Arbitraries.of(ChargingProfileKindType.class);
        Arbitrary<List<Integer>> starts = Arbitraries.integers().between(1, 50_000).list().ofMaxSize(4)
                .map(l -> {
                    List<Integer> s = new ArrayList<>(l.stream().distinct().sorted().toList());
                    s.add(0, 0);
                    return s;
                });
        Arbitrary<List<Double>> limits = Arbitraries.integers().between(0, 640).map(i -> i / 10.0).list()
                .ofSize(5);
        return Combinators.combine(purpose, kind, Arbitraries.integers().between(0, 3), starts, limits,
                Arbitraries.of(ChargingRateUnitType.class), Arbitraries.integers().between(60, 100_000).injectNull(0.5),
                Arbitraries.integers().between(-50_000, 150_000).injectNull(0.6))
                .as((p, k, level, s, l, unit, duration, validTo) -> {
                    List<ChargingSchedulePeriod> periods = new ArrayList<>();
                    for (int i = 0; i < s.size(); i++) {
                        double limit = unit == ChargingRateUnitType.A ? l.get(i) : l.get(i) * 345;
                        periods.add(new ChargingSchedulePeriod(s.get(i), limit, null));
                    }
                    int connector = p == ChargingProfilePurposeType.ChargePointMaxProfile ? 0
                            : p == ChargingProfilePurposeType.TxProfile ? 1 + level % 2 : level % 3;
                    Integer tx = p == ChargingProfilePurposeType.TxProfile ? 1 + (level / 2) % 2 : null;
                    return new CsmsChargingProfile("CP-1", connector, new ChargingProfile(0, tx, level, p, k,
                            k == ChargingProfileKindType.Recurring ? RecurrencyKindType.Daily : null, null,
                            validTo == null ? null : T.plusSeconds(validTo), new ChargingSchedule(duration,
                            k == ChargingProfileKindType.Relative ? null : T, unit, periods, null)), T);
                });
    }

    private static Optional<ProfileStack.Transaction> running(Case c) {
        return c.transaction() == null ? Optional.empty()
                : Optional.of(new ProfileStack.Transaction(c.transaction(), T.plusSeconds(300)));
    }

    /** Every limit any profile of the stack has in force at that instant, in amps. */
    private static List<Double> inForce(Case c, Instant at) {
        Instant relativeStart = running(c).map(ProfileStack.Transaction::startedAt).orElse(at);
        List<Double> values = new ArrayList<>();
        for (CsmsChargingProfile p : c.profiles()) {
            ProfileStack.periodAt(p, at, relativeStart).ifPresent(period -> values.add(period.amps(VOLTAGE,
                    c.phases())));
        }
        return values;
    }

    @Property(tries = 400)
    void theLimitIsAlwaysOneInForce(@ForAll("cases") Case c) {
        Instant at = T.plusSeconds(c.offset());
        OptionalDouble limit = new ProfileStack(c.profiles(), VOLTAGE).limitA(c.connector(), at, running(c),
                c.phases());
        if (limit.isPresent()) {
            assertThat(inForce(c, at)).contains(limit.getAsDouble());
        }
    }

    @Property(tries = 400)
    void aMaximumAboveAllOthersAlwaysBinds(@ForAll("cases") Case c, @ForAll @IntRange(min = 0, max = 640) int tenths) {
        Instant at = T.plusSeconds(c.offset());
        double cap = tenths / 10.0;
        OptionalDouble session = new ProfileStack(c.profiles(), VOLTAGE).sessionLimitA(c.connector(), at, running(c),
                c.phases());
        List<CsmsChargingProfile> with = new ArrayList<>(c.profiles());
        with.add(new CsmsChargingProfile("CP-1", 0, new ChargingProfile(99, null, 10,
                ChargingProfilePurposeType.ChargePointMaxProfile, ChargingProfileKindType.Absolute, null, null, null,
                new ChargingSchedule(null, T.minusSeconds(100_000), ChargingRateUnitType.A,
                        List.of(new ChargingSchedulePeriod(0, cap, null)), null)), T));
        OptionalDouble after = new ProfileStack(with, VOLTAGE).limitA(c.connector(), at, running(c), c.phases());
        assertThat(after).isPresent();
        // The new maximum prevails over the others; the session's own limit still bounds.
        assertThat(after.getAsDouble()).isEqualTo(session.isPresent() ? Math.min(cap, session.getAsDouble()) : cap);
    }

    @Property(tries = 300)
    void anotherTransactionsTxProfileNeverCounts(@ForAll("cases") Case c) {
        Instant at = T.plusSeconds(c.offset());
        List<CsmsChargingProfile> without = c.profiles().stream()
                .filter(p -> p.profile().chargingProfilePurpose() != ChargingProfilePurposeType.TxProfile
                        || c.transaction() != null && p.profile().transactionId().equals(c.transaction()))
                .toList();
        assertThat(new ProfileStack(without, VOLTAGE).limitA(c.connector(), at, running(c), c.phases()))
                .isEqualTo(new ProfileStack(c.profiles(), VOLTAGE).limitA(c.connector(), at, running(c),
                        c.phases()));
    }

    @Property(tries = 200)
    void theCompositeNeverExceedsTheLimitAtAnyOfItsInstants(@ForAll("cases") Case c) {
        Instant from = T.plusSeconds(c.offset());
        ProfileStack stack = new ProfileStack(c.profiles(), VOLTAGE);
        Optional<ChargingSchedule> composite = CsmsProfiles.compose(stack, c.connector(), running(c),
                OptionalDouble.empty(), from, 86_400, ChargingRateUnitType.A, VOLTAGE);
        composite.ifPresent(s -> IntStream.range(0, s.chargingSchedulePeriod().size()).forEach(i -> {
            ChargingSchedulePeriod p = s.chargingSchedulePeriod().get(i);
            OptionalDouble limit = stack.limitA(c.connector(), s.startSchedule().plusSeconds(p.startPeriod()),
                    running(c), 3);
            assertThat(limit).hasValue(p.limit());
        }));
    }
}
