package org.chargeedge.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The test charger's profiles follow OCPP 1.6 (section 3.13): what the site runs rely on when the gateway dies. */
class ChargingProfilesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
    private static final int TX = 42;

    private final ChargingProfiles profiles = new ChargingProfiles();

    private static JsonNode profile(int id, String purpose, int stackLevel, String kind, String validTo,
                                    String unit, double limit) {
        String json = "{\"chargingProfileId\":" + id + ",\"stackLevel\":" + stackLevel
                + ",\"chargingProfilePurpose\":\"" + purpose + "\",\"chargingProfileKind\":\"" + kind + "\""
                + (validTo == null ? "" : ",\"validTo\":\"" + validTo + "\"")
                + ",\"chargingSchedule\":{" + (kind.equals("Absolute") ? "\"startSchedule\":\"" + T0 + "\"," : "")
                + "\"chargingRateUnit\":\"" + unit + "\",\"chargingSchedulePeriod\":[{\"startPeriod\":0,\"limit\":"
                + limit + "}]}}";
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private double limitAt(Instant at) {
        return profiles.limitA(at, T0, 3, 230);
    }

    @Test
    void aTxProfileHoldsUntilItsValidToThenTheTxDefaultProfile() {
        assertThat(profiles.set(0, profile(9100, "TxDefaultProfile", 0, "Relative", null, "A", 6), null, T0))
                .isEqualTo("Accepted");
        assertThat(profiles.set(1, profile(9201, "TxProfile", 0, "Absolute", T0.plusSeconds(30).toString(), "A",
                20), TX, T0)).isEqualTo("Accepted");
        assertThat(limitAt(T0.plusSeconds(29))).isEqualTo(20);
        assertThat(profiles.txProfileInForce(T0.plusSeconds(29), T0)).isTrue();
        assertThat(limitAt(T0.plusSeconds(30))).as("validTo is the end").isEqualTo(6);
        assertThat(profiles.txProfileInForce(T0.plusSeconds(30), T0)).isFalse();
        assertThat(profiles.defaultLimitA(T0.plusSeconds(30), T0, 3, 230)).isEqualTo(6);
    }

    @Test
    void theHighestStackLevelInForceWinsAndTheSameIdOrLevelReplaces() {
        profiles.set(0, profile(1, "TxDefaultProfile", 0, "Relative", null, "A", 16), null, T0);
        profiles.set(0, profile(2, "TxDefaultProfile", 3, "Absolute", T0.plusSeconds(60).toString(), "A", 8), null,
                T0);
        assertThat(limitAt(T0.plusSeconds(10))).isEqualTo(8);
        assertThat(limitAt(T0.plusSeconds(60))).as("the higher one ran out").isEqualTo(16);
        // the same purpose and stack level replaces, whatever the id
        profiles.set(0, profile(3, "TxDefaultProfile", 0, "Relative", null, "A", 10), null, T0);
        assertThat(limitAt(T0.plusSeconds(70))).isEqualTo(10);
        // the same id replaces, at another level
        profiles.set(0, profile(3, "TxDefaultProfile", 1, "Relative", null, "A", 12), null, T0);
        assertThat(limitAt(T0.plusSeconds(70))).isEqualTo(12);
        assertThat(profiles.clear(JSON.createObjectNode().put("id", 3))).isEqualTo("Accepted");
        assertThat(limitAt(T0.plusSeconds(70))).as("none left in force").isNaN();
        assertThat(profiles.clear(JSON.createObjectNode().put("id", 3))).isEqualTo("Unknown");
    }

    @Test
    void aTxProfileNeedsItsTransactionAndEndsWithIt() {
        assertThat(profiles.set(1, profile(9201, "TxProfile", 0, "Absolute", null, "A", 20), null, T0))
                .as("no transaction").isEqualTo("Rejected");
        assertThat(profiles.set(0, profile(9201, "TxProfile", 0, "Absolute", null, "A", 20), TX, T0))
                .as("connector 0").isEqualTo("Rejected");
        JsonNode other = ((com.fasterxml.jackson.databind.node.ObjectNode) profile(9201, "TxProfile", 0, "Absolute",
                null, "A", 20)).put("transactionId", TX + 1);
        assertThat(profiles.set(1, other, TX, T0)).as("another transaction").isEqualTo("Rejected");
        assertThat(profiles.set(1, profile(9201, "TxProfile", 0, "Absolute", null, "A", 20), TX, T0))
                .isEqualTo("Accepted");
        profiles.transactionEnded();
        assertThat(limitAt(T0.plusSeconds(1))).isNaN();
    }

    @Test
    void theChargePointMaxProfileCapsAndLimitsInWattsAreSpreadOverThePhases() {
        assertThat(profiles.set(1, profile(1, "ChargePointMaxProfile", 0, "Relative", null, "A", 10), null, T0))
                .as("only on connector 0").isEqualTo("Rejected");
        profiles.set(0, profile(1, "ChargePointMaxProfile", 0, "Relative", null, "A", 10), null, T0);
        profiles.set(1, profile(9201, "TxProfile", 0, "Absolute", null, "W", 3 * 230 * 16), TX, T0);
        assertThat(limitAt(T0.plusSeconds(1))).isEqualTo(10);
        assertThat(profiles.limitA(T0.plusSeconds(1), T0, 1, 230)).as("16 A x 3 phases on one phase")
                .isEqualTo(10);
        profiles.clear(JSON.createObjectNode().put("chargingProfilePurpose", "ChargePointMaxProfile"));
        assertThat(limitAt(T0.plusSeconds(1))).isEqualTo(16);
    }

    @Test
    void aStackLevelAboveTheMaximumOrAScheduleNotStartingAtZeroIsRejected() {
        assertThat(profiles.set(0, profile(1, "TxDefaultProfile", ChargingProfiles.MAX_STACK_LEVEL + 1, "Relative",
                null, "A", 10), null, T0)).isEqualTo("Rejected");
        JsonNode late = profile(1, "TxDefaultProfile", 0, "Relative", null, "A", 10);
        ((com.fasterxml.jackson.databind.node.ObjectNode) late.path("chargingSchedule").path("chargingSchedulePeriod")
                .get(0)).put("startPeriod", 5);
        assertThat(profiles.set(0, late, null, T0)).isEqualTo("Rejected");
    }

    @Test
    void aScheduleGoesFromPeriodToPeriodAndEndsWithItsDuration() throws Exception {
        JsonNode p = JSON.readTree("{\"chargingProfileId\":5,\"stackLevel\":1,\"chargingProfilePurpose\":"
                + "\"TxDefaultProfile\",\"chargingProfileKind\":\"Relative\",\"chargingSchedule\":{\"duration\":"
                + "120,\"chargingRateUnit\":\"A\",\"chargingSchedulePeriod\":[{\"startPeriod\":0,\"limit\":16},"
                + "{\"startPeriod\":60,\"limit\":8}]}}");
        profiles.set(0, p, null, T0);
        profiles.set(1, profile(6, "TxDefaultProfile", 0, "Relative", null, "A", 32), null, T0);
        assertThat(limitAt(T0.plusSeconds(59))).isEqualTo(16);
        assertThat(limitAt(T0.plusSeconds(60))).isEqualTo(8);
        assertThat(limitAt(T0.plusSeconds(120))).as("past its duration: the lower level").isEqualTo(32);
    }
}
