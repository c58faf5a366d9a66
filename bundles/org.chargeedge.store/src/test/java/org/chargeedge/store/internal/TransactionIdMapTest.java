package org.chargeedge.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.chargeedge.store.internal.Fixtures.count;
import static org.chargeedge.store.internal.Fixtures.result;

import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;

import org.chargeedge.api.store.CsmsChargingProfile;
import org.chargeedge.api.store.OutboundMessage;
import org.chargeedge.ocpp.v16.ChargingProfile;
import org.chargeedge.ocpp.v16.ChargingProfileKindType;
import org.chargeedge.ocpp.v16.ChargingProfilePurposeType;
import org.chargeedge.ocpp.v16.ChargingRateUnitType;
import org.chargeedge.ocpp.v16.ChargingSchedule;
import org.chargeedge.ocpp.v16.ChargingSchedulePeriod;
import org.chargeedge.ocpp.v16.RecurrencyKindType;
import org.junit.jupiter.api.Test;

/**
 * The upstream link's records: the transaction id map and the parked messages (schema V2), the CSMS's charging
 * profiles (V6: kept per charger and id, replaced, removed, read back after a restart).
 */
class TransactionIdMapTest extends StoreFileTest {

    private static final Instant T = Instant.parse("2026-03-01T10:00:00Z");


    @Test
    void csmsIdsMapBothWaysPerChargerAndSurviveARestart() throws Exception {
        assertThat(store.csmsId(10)).isEmpty();
        result(store.map("CP-1", 10, 7001));
        result(store.map("CP-2", 11, 7001));
        reopen();
        assertThat(store.csmsId(10)).isEqualTo(OptionalInt.of(7001));
        assertThat(store.gatewayId("CP-1", 7001)).isEqualTo(OptionalInt.of(10));
        assertThat(store.gatewayId("CP-2", 7001)).isEqualTo(OptionalInt.of(11));
        assertThat(store.gatewayId("CP-3", 7001)).isEmpty();
    }

    static ChargingProfile profile(int id, int stackLevel, ChargingProfilePurposeType purpose, Integer tx,
                                   double limit) {
        return new ChargingProfile(id, tx, stackLevel, purpose, ChargingProfileKindType.Recurring,
                RecurrencyKindType.Daily, T, T.plusSeconds(86_400), new ChargingSchedule(3600, T,
                ChargingRateUnitType.W, List.of(new ChargingSchedulePeriod(0, limit, 1),
                new ChargingSchedulePeriod(600, limit / 2, null)), 1.5));
    }

    @Test
    void profilesSurviveARestartExactlyAsGiven() throws Exception {
        CsmsChargingProfile max = new CsmsChargingProfile("CP-1", 0, profile(1, 0,
                ChargingProfilePurposeType.ChargePointMaxProfile, null, 11000.5), T);
        CsmsChargingProfile tx = new CsmsChargingProfile("CP-1", 2, profile(2, 3,
                ChargingProfilePurposeType.TxProfile, 17, 7400), T.plusSeconds(1));
        CsmsChargingProfile other = new CsmsChargingProfile("CP-2", 1, profile(1, 0,
                ChargingProfilePurposeType.TxDefaultProfile, null, 3680), T.plusSeconds(2));
        result(store.putProfile(max, List.of()));
        result(store.putProfile(tx, List.of()));
        result(store.putProfile(other, List.of()));
        reopen();
        assertThat(store.profiles()).containsExactly(max, tx, other);
    }

    @Test
    void theSameIdReplacesAndReplacedIdsGoInTheSameCommit() throws Exception {
        result(store.putProfile(new CsmsChargingProfile("CP-1", 1, profile(5, 0,
                ChargingProfilePurposeType.TxDefaultProfile, null, 16), T), List.of()));
        result(store.putProfile(new CsmsChargingProfile("CP-1", 1, profile(6, 1,
                ChargingProfilePurposeType.TxDefaultProfile, null, 20), T), List.of()));
        CsmsChargingProfile again = new CsmsChargingProfile("CP-1", 2, profile(5, 0,
                ChargingProfilePurposeType.TxDefaultProfile, null, 10), T.plusSeconds(5));
        result(store.putProfile(again, List.of(6)));
        assertThat(store.profiles()).containsExactly(again);

        result(store.removeProfiles("CP-2", List.of(5)));
        assertThat(store.profiles()).containsExactly(again);
        result(store.removeProfiles("CP-1", List.of(5, 99)));
        assertThat(store.profiles()).isEmpty();
    }
}
