package org.chargeedge.upstream.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.chargeedge.api.smartcharging.GatewayLimits;
import org.chargeedge.balancer.internal.TestBalancers;
import org.chargeedge.ocpp.rpc.RpcFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import eu.chargetime.ocpp.model.core.ChargePointErrorCode;
import eu.chargetime.ocpp.model.core.ChargePointStatus;
import eu.chargetime.ocpp.model.core.ChargingProfile;
import eu.chargetime.ocpp.model.core.ChargingProfileKindType;
import eu.chargetime.ocpp.model.core.ChargingProfilePurposeType;
import eu.chargetime.ocpp.model.core.ChargingRateUnitType;
import eu.chargetime.ocpp.model.core.ChargingSchedule;
import eu.chargetime.ocpp.model.core.ChargingSchedulePeriod;
import eu.chargetime.ocpp.model.core.StartTransactionRequest;
import eu.chargetime.ocpp.model.smartcharging.ChargingProfileStatus;
import eu.chargetime.ocpp.model.smartcharging.ClearChargingProfileConfirmation;
import eu.chargetime.ocpp.model.smartcharging.ClearChargingProfileRequest;
import eu.chargetime.ocpp.model.smartcharging.ClearChargingProfileStatus;
import eu.chargetime.ocpp.model.smartcharging.GetCompositeScheduleConfirmation;
import eu.chargetime.ocpp.model.smartcharging.GetCompositeScheduleRequest;
import eu.chargetime.ocpp.model.smartcharging.GetCompositeScheduleStatus;
import eu.chargetime.ocpp.model.smartcharging.SetChargingProfileConfirmation;
import eu.chargetime.ocpp.model.smartcharging.SetChargingProfileRequest;

/**
 * The CSMS's smart-charging calls through the link, between a ChargeTimeEU CSMS and a ChargeTimeEU
 * charger that answers every smart-charging call (so one that reaches it would show): answered by
 * the gateway, kept in the store across a restart of the link, and, with the real balancer, a bound
 * on the limit it sends the charger.
 */
class CsmsProfilesTest extends LinkTestBase {

    /** The balancer of the test that runs one. */
    private TestBalancers.Running balancer;

    @Override
    GatewayLimits gatewayLimits() {
        return balancer;
    }

    @AfterEach
    void stopBalancer() {
        if (balancer != null) {
            balancer.close();
        }
    }

    static ChargingProfile profile(int id, int stackLevel, ChargingProfilePurposeType purpose,
                                   ChargingRateUnitType unit, double limit) {
        ChargingSchedule schedule = new ChargingSchedule(unit, new ChargingSchedulePeriod[] {
                new ChargingSchedulePeriod(0, limit)});
        schedule.setStartSchedule(ZonedDateTime.now().minusMinutes(1));
        ChargingProfile p = new ChargingProfile(id, stackLevel, purpose, ChargingProfileKindType.Absolute, schedule);
        return p;
    }

    ChargingProfileStatus set(int connectorId, ChargingProfile profile) throws Exception {
        return ((SetChargingProfileConfirmation) csms.send(CP, new SetChargingProfileRequest(connectorId, profile)))
                .getStatus();
    }

    /** Connects, boots, and makes connector 1 and 2 known with their statuses. */
    void online() throws Exception {
        connect(true);
        charger.send(charger.core.createBootNotificationRequest("V", "M"));
        for (int c = 1; c <= 2; c++) {
            charger.send(charger.core.createStatusNotificationRequest(c, ChargePointErrorCode.NoError,
                    ChargePointStatus.Available));
        }
    }

    /** A transaction on connector 1 the CSMS knows; returns the CSMS's id. */
    int startKnownToCsms() throws Exception {
        charger.send(charger.core.createStatusNotificationRequest(1, ChargePointErrorCode.NoError,
                ChargePointStatus.Charging));
        start("TAG-1", 0);
        await("the start at the CSMS", () -> csms.of(CP, StartTransactionRequest.class).size() == 1);
        await("the CSMS's id mapped", () -> store.gatewayId(CP, Csms.FIRST_ID).isPresent());
        return Csms.FIRST_ID;
    }

    /** A smart-charging call passed on would reach the charger a moment after its answer: wait that moment. */
    private void assertNothingReachedTheCharger() throws InterruptedException {
        TimeUnit.MILLISECONDS.sleep(200);
        assertThat(smartChargingAtCharger()).isEmpty();
    }

    private List<eu.chargetime.ocpp.model.Request> smartChargingAtCharger() {
        return charger.received.stream().filter(r -> r instanceof SetChargingProfileRequest
                || r instanceof ClearChargingProfileRequest || r instanceof GetCompositeScheduleRequest).toList();
    }

    @Test
    void setIsAnsweredByTheGatewayKeptAcrossARestartAndNeverReachesTheCharger() throws Exception {
        online();
        assertThat(set(0, profile(1, 0, ChargingProfilePurposeType.TxDefaultProfile, ChargingRateUnitType.A, 16)))
                .isEqualTo(ChargingProfileStatus.Accepted);
        assertThat(set(0, profile(2, 0, ChargingProfilePurposeType.ChargePointMaxProfile, ChargingRateUnitType.W,
                11_000))).isEqualTo(ChargingProfileStatus.Accepted);
        assertThat(profiles.limitA(CP, 1, Instant.now(), 3)).hasValue(15.9);
        assertThat(profiles.limitA(CP, 1, Instant.now(), 1)).hasValue(16);

        restartLinks();
        await("the link back", () -> links.online(CP));
        assertThat(profiles.profiles(CP)).extracting(p -> p.profileId()).containsExactly(1, 2);
        assertThat(profiles.limitA(CP, 2, Instant.now(), 3)).hasValue(15.9);
        // A replacement of the same purpose and stack level, after the restart.
        assertThat(set(0, profile(3, 0, ChargingProfilePurposeType.TxDefaultProfile, ChargingRateUnitType.A, 10)))
                .isEqualTo(ChargingProfileStatus.Accepted);
        assertThat(profiles.profiles(CP)).extracting(p -> p.profileId()).containsExactlyInAnyOrder(2, 3);
        assertThat(profiles.limitA(CP, 1, Instant.now(), 3)).hasValue(10);
        String shell = new CsmsProfileCommands(profiles).csmsprofiles();
        assertThat(shell).contains("CP-1", "TxDefaultProfile", "ChargePointMaxProfile", "0: 11000.0", "0: 10.0");

        assertNothingReachedTheCharger();
    }

    @Test
    void whatAChargerWouldRejectIsRejectedAndChangesNothing() throws Exception {
        online();
        assertThat(set(1, profile(1, 0, ChargingProfilePurposeType.TxProfile, ChargingRateUnitType.A, 10)))
                .as("a TxProfile with no transaction on the connector").isEqualTo(ChargingProfileStatus.Rejected);
        assertThat(set(7, profile(2, 0, ChargingProfilePurposeType.TxDefaultProfile, ChargingRateUnitType.A, 10)))
                .as("an unknown connector").isEqualTo(ChargingProfileStatus.Rejected);
        assertThat(set(1, profile(3, 0, ChargingProfilePurposeType.ChargePointMaxProfile, ChargingRateUnitType.A,
                10))).as("a maximum on a connector").isEqualTo(ChargingProfileStatus.Rejected);
        ChargingProfile late = profile(4, 0, ChargingProfilePurposeType.TxDefaultProfile, ChargingRateUnitType.A, 10);
        late.getChargingSchedule().getChargingSchedulePeriod()[0].setStartPeriod(60);
        assertThat(set(1, late)).as("a first period after 0").isEqualTo(ChargingProfileStatus.Rejected);
        assertThat(profiles.profiles(CP)).isEmpty();
        assertThat(store.profiles()).isEmpty();

        // A unit that is none of OCPP's is a malformed call: a CALLERROR, as a charger's OCPP-J stack gives.
        JsonNode kw = Payloads.MAPPER.readTree("{\"connectorId\":1,\"csChargingProfiles\":{\"chargingProfileId\":5,"
                + "\"stackLevel\":0,\"chargingProfilePurpose\":\"TxDefaultProfile\",\"chargingProfileKind\":"
                + "\"Relative\",\"chargingSchedule\":{\"chargingRateUnit\":\"kW\",\"chargingSchedulePeriod\":"
                + "[{\"startPeriod\":0,\"limit\":11.0}]}}}");
        String answer = new CsmsCalls(CP, services()).answer(new RpcFrame.Call("m1", "SetChargingProfile", kw),
                Instant.now()).toCompletableFuture().get();
        assertThat(answer).startsWith("[4,\"m1\"");
        assertThat(store.profiles()).isEmpty();

        assertNothingReachedTheCharger();
    }

    @Test
    void aTxProfileHoldsForItsTransactionAndEndsWithIt() throws Exception {
        online();
        assertThat(set(0, profile(1, 0, ChargingProfilePurposeType.TxDefaultProfile, ChargingRateUnitType.A, 16)))
                .isEqualTo(ChargingProfileStatus.Accepted);
        int csmsId = startKnownToCsms();
        ChargingProfile other = profile(2, 1, ChargingProfilePurposeType.TxProfile, ChargingRateUnitType.A, 8);
        other.setTransactionId(csmsId + 40);
        assertThat(set(1, other)).as("a transaction the charger never had").isEqualTo(ChargingProfileStatus.Rejected);

        ChargingProfile tx = profile(3, 1, ChargingProfilePurposeType.TxProfile, ChargingRateUnitType.A, 24);
        tx.setTransactionId(csmsId);
        assertThat(set(1, tx)).isEqualTo(ChargingProfileStatus.Accepted);
        int gatewayId = store.gatewayId(CP, csmsId).getAsInt();
        assertThat(profiles.profiles(CP)).filteredOn(p -> p.profileId() == 3).singleElement()
                .satisfies(p -> assertThat(p.profile().transactionId()).as("kept under the gateway's id")
                        .isEqualTo(gatewayId));
        assertThat(profiles.limitA(CP, 1, Instant.now(), 3)).as("it replaces the default").hasValue(24);
        assertThat(profiles.limitA(CP, 2, Instant.now(), 3)).hasValue(16);

        stopTx(gatewayId, 5);
        await("the transaction over", () -> centralSystem.siteView().charger(CP).orElseThrow().openTransactions()
                .isEmpty());
        assertThat(profiles.limitA(CP, 1, Instant.now(), 3)).as("the default again").hasValue(16);
    }

    @Test
    void clearByIdAndByCriteria() throws Exception {
        online();
        set(0, profile(1, 0, ChargingProfilePurposeType.TxDefaultProfile, ChargingRateUnitType.A, 16));
        set(1, profile(2, 1, ChargingProfilePurposeType.TxDefaultProfile, ChargingRateUnitType.A, 12));
        set(2, profile(3, 2, ChargingProfilePurposeType.TxDefaultProfile, ChargingRateUnitType.A, 20));
        set(0, profile(4, 0, ChargingProfilePurposeType.ChargePointMaxProfile, ChargingRateUnitType.A, 30));

        assertThat(clear(2, null, null, null)).isEqualTo(ClearChargingProfileStatus.Accepted);
        assertThat(profiles.limitA(CP, 1, Instant.now(), 3)).hasValue(16);
        assertThat(clear(2, null, null, null)).as("gone already").isEqualTo(ClearChargingProfileStatus.Unknown);

        assertThat(clear(null, 2, ChargingProfilePurposeType.TxDefaultProfile, 2))
                .isEqualTo(ClearChargingProfileStatus.Accepted);
        assertThat(clear(null, null, ChargingProfilePurposeType.TxDefaultProfile, 5))
                .isEqualTo(ClearChargingProfileStatus.Unknown);
        assertThat(clear(null, null, ChargingProfilePurposeType.TxDefaultProfile, null))
                .isEqualTo(ClearChargingProfileStatus.Accepted);
        assertThat(store.profiles()).extracting(p -> p.profileId()).containsExactly(4);
        assertThat(profiles.limitA(CP, 1, Instant.now(), 3)).hasValue(30);

        restartLinks();
        assertThat(profiles.profiles(CP)).extracting(p -> p.profileId()).containsExactly(4);
        assertNothingReachedTheCharger();
    }

    private ClearChargingProfileStatus clear(Integer id, Integer connectorId, ChargingProfilePurposeType purpose,
                                             Integer stackLevel) throws Exception {
        ClearChargingProfileRequest r = new ClearChargingProfileRequest();
        r.setId(id);
        r.setConnectorId(connectorId);
        r.setChargingProfilePurpose(purpose);
        r.setStackLevel(stackLevel);
        return ((ClearChargingProfileConfirmation) csms.send(CP, r)).getStatus();
    }

    @Test
    void theCompositeScheduleIsComposedByTheGateway() throws Exception {
        online();
        ChargingProfile stepped = profile(1, 0, ChargingProfilePurposeType.TxDefaultProfile, ChargingRateUnitType.A,
                16);
        stepped.getChargingSchedule().setStartSchedule(ZonedDateTime.now().minusSeconds(5));
        stepped.getChargingSchedule().setChargingSchedulePeriod(new ChargingSchedulePeriod[] {
                new ChargingSchedulePeriod(0, 16.0), new ChargingSchedulePeriod(600, 8.0)});
        set(0, stepped);

        GetCompositeScheduleRequest request = new GetCompositeScheduleRequest(1, 1200);
        GetCompositeScheduleConfirmation amps = (GetCompositeScheduleConfirmation) csms.send(CP, request);
        assertThat(amps.getStatus()).isEqualTo(GetCompositeScheduleStatus.Accepted);
        assertThat(amps.getConnectorId()).isEqualTo(1);
        assertThat(amps.getChargingSchedule().getChargingRateUnit()).isEqualTo(ChargingRateUnitType.A);
        ChargingSchedulePeriod[] periods = amps.getChargingSchedule().getChargingSchedulePeriod();
        assertThat(periods).hasSize(2);
        assertThat(periods[0].getLimit()).isEqualTo(16.0);
        assertThat(periods[1].getLimit()).isEqualTo(8.0);
        // The step 600 s after the schedule began, 5 s before the call (less the time the call took).
        assertThat(periods[1].getStartPeriod()).isBetween(580, 595);

        request.setChargingRateUnit(eu.chargetime.ocpp.model.smartcharging.ChargingRateUnitType.W);
        GetCompositeScheduleConfirmation watts = (GetCompositeScheduleConfirmation) csms.send(CP, request);
        assertThat(watts.getChargingSchedule().getChargingRateUnit()).isEqualTo(ChargingRateUnitType.W);
        assertThat(watts.getChargingSchedule().getChargingSchedulePeriod()[0].getLimit()).isEqualTo(16 * 230 * 3.0);

        GetCompositeScheduleConfirmation unknown = (GetCompositeScheduleConfirmation) csms.send(CP,
                new GetCompositeScheduleRequest(9, 600));
        assertThat(unknown.getStatus()).isEqualTo(GetCompositeScheduleStatus.Rejected);
        assertNothingReachedTheCharger();
    }

    @Test
    void theCsmsLimitLowersTheLimitTheBalancerSendsAlsoAfterARestart() throws Exception {
        Map<String, Object> site = Map.of("gridLimitA", 40.0, "safeBudgetA", 4.0, "rampUpIntervalSeconds", 1);
        balancer = TestBalancers.start(centralSystem.siteView(), centralSystem.commands(), () -> profiles, site);
        online();
        startKnownToCsms();
        await("the balancer's TxProfile above 10 A", () -> lastBalancerLimit() > 10);

        ChargingProfile cap = profile(1, 0, ChargingProfilePurposeType.TxDefaultProfile, ChargingRateUnitType.A, 10);
        assertThat(set(1, cap)).isEqualTo(ChargingProfileStatus.Accepted);
        await("the balancer's TxProfile at the CSMS's 10 A", () -> lastBalancerLimit() == 10);

        // The gateway's limit is in the composite schedule: min(CSMS, balancer).
        GetCompositeScheduleConfirmation composite = (GetCompositeScheduleConfirmation) csms.send(CP,
                new GetCompositeScheduleRequest(1, 300));
        assertThat(composite.getChargingSchedule().getChargingSchedulePeriod()[0].getLimit()).isEqualTo(10.0);

        // The link and the balancer restart; the profile comes back from the store and still binds.
        balancer.close();
        restartLinks();
        charger.received.clear();
        balancer = TestBalancers.start(centralSystem.siteView(), centralSystem.commands(), () -> profiles, site);
        // It starts the session low again and ramps up, to the CSMS's limit and never above it.
        await("the new balancer's TxProfile at the CSMS's 10 A", () -> lastBalancerLimit() == 10);
        TimeUnit.SECONDS.sleep(2);
        assertThat(charger.received(SetChargingProfileRequest.class)).filteredOn(r -> r.getCsChargingProfiles()
                .getChargingProfileId() == 9201).extracting(r -> r.getCsChargingProfiles().getChargingSchedule()
                .getChargingSchedulePeriod()[0].getLimit()).allSatisfy(l -> assertThat(l).isLessThanOrEqualTo(10));
        assertThat(smartChargingAtCharger()).as("only the balancer's own profiles reach the charger")
                .allSatisfy(r -> assertThat(((SetChargingProfileRequest) r).getCsChargingProfiles()
                        .getChargingProfileId()).isGreaterThanOrEqualTo(9100));
    }

    /** The limit of the newest TxProfile the balancer sent to connector 1 (profile 9201); -1 if none. */
    private double lastBalancerLimit() {
        List<SetChargingProfileRequest> sent = charger.received(SetChargingProfileRequest.class).stream()
                .filter(r -> r.getCsChargingProfiles().getChargingProfileId() == 9201).toList();
        return sent.isEmpty() ? -1 : sent.get(sent.size() - 1).getCsChargingProfiles().getChargingSchedule()
                .getChargingSchedulePeriod()[0].getLimit();
    }
}
