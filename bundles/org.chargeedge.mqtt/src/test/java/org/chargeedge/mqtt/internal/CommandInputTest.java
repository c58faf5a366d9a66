package org.chargeedge.mqtt.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

import org.chargeedge.api.charger.ChargerCallException;
import org.chargeedge.api.charger.ChargerCommands;
import org.chargeedge.ocpp.v16.ChargingProfileKindType;
import org.chargeedge.ocpp.v16.ChargingProfilePurposeType;
import org.chargeedge.ocpp.v16.ChargingProfileStatus;
import org.chargeedge.ocpp.v16.ChargingRateUnitType;
import org.chargeedge.ocpp.v16.Confirmation;
import org.chargeedge.ocpp.v16.Request;
import org.chargeedge.ocpp.v16.SetChargingProfileConfirmation;
import org.chargeedge.ocpp.v16.SetChargingProfileRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** Commands from a real broker into ChargerCommands (recorded: the central system has its own tests). */
class CommandInputTest {

    record Call(String chargePointId, Request<?> request) {}

    /** Answers Accepted, or fails as the central system does for a charger that is not connected. */
    static final class RecordingCommands implements ChargerCommands {
        final List<Call> calls = new CopyOnWriteArrayList<>();

        @Override
        @SuppressWarnings("unchecked")
        public <C extends Confirmation> CompletionStage<C> call(String chargePointId, Request<C> request) {
            calls.add(new Call(chargePointId, request));
            if (chargePointId.equals("OFFLINE")) {
                return CompletableFuture.failedFuture(new ChargerCallException(chargePointId,
                        ChargerCallException.Reason.NOT_CONNECTED, null, chargePointId + " is not connected"));
            }
            return CompletableFuture.completedFuture((C) new SetChargingProfileConfirmation(ChargingProfileStatus.Accepted));
        }
    }

    private EmbeddedBroker broker;
    private BrokerConnection connection;
    private CommandInput commands;
    private final RecordingCommands central = new RecordingCommands();

    @BeforeEach
    void start() throws Exception {
        broker = new EmbeddedBroker();
        connection = new BrokerConnection(PresetsOverBrokerTest.settings(broker, "depot"));
        Await.until("connected", connection::connected);
    }

    @AfterEach
    void stop() {
        if (commands != null) {
            commands.stop();
        }
        connection.stop();
        broker.close();
    }

    private void enable(boolean enabled, String... ids) throws InterruptedException {
        commands = new CommandInput(new CommandInput.Settings(enabled, Set.of(ids), 6, 16, 3), connection, central);
        Thread.sleep(200); // SUBACK
    }

    private static JsonNode json(TestClient.Received r) throws Exception {
        assertThat(r).as("a result message").isNotNull();
        return SiteDocuments.JSON.readTree(r.payload());
    }

    @Test
    void aCurrentLimitBecomesAChargePointMaxProfileClampedToTheBounds() throws Exception {
        enable(true, "CP-1", "CP-2");
        try (TestClient app = new TestClient(broker).subscribe("depot/charger/+/set/current_limit/result", 1)) {
            app.publish("depot/charger/CP-1/set/current_limit", "10.04");
            JsonNode r = json(app.next("depot/charger/CP-1/set/current_limit/result", 5000));
            assertThat(r.get("accepted").asBoolean()).isTrue();
            assertThat(r.get("status").asText()).isEqualTo("Accepted");
            assertThat(r.get("limit").asDouble()).isEqualTo(10.0);

            app.publish("depot/charger/CP-2/set/current_limit", "63");
            assertThat(json(app.next("depot/charger/CP-2/set/current_limit/result", 5000)).get("limit").asDouble())
                    .as("clamped to maxCurrent").isEqualTo(16);
            app.publish("depot/charger/CP-2/set/current_limit", "2");
            assertThat(json(app.next("depot/charger/CP-2/set/current_limit/result", 5000)).get("limit").asDouble())
                    .as("raised to minCurrent").isEqualTo(6);
        }
        assertThat(central.calls).hasSize(3);
        Call first = central.calls.get(0);
        assertThat(first.chargePointId()).isEqualTo("CP-1");
        SetChargingProfileRequest req = (SetChargingProfileRequest) first.request();
        assertThat(req.connectorId()).isZero();
        assertThat(req.csChargingProfiles().chargingProfileId()).isEqualTo(CommandInput.PROFILE_ID);
        assertThat(req.csChargingProfiles().stackLevel()).isEqualTo(3);
        assertThat(req.csChargingProfiles().chargingProfilePurpose()).isEqualTo(ChargingProfilePurposeType.ChargePointMaxProfile);
        assertThat(req.csChargingProfiles().chargingProfileKind()).isEqualTo(ChargingProfileKindType.Absolute);
        assertThat(req.csChargingProfiles().transactionId()).isNull();
        assertThat(req.csChargingProfiles().chargingSchedule().chargingRateUnit()).isEqualTo(ChargingRateUnitType.A);
        assertThat(req.csChargingProfiles().chargingSchedule().chargingSchedulePeriod()).hasSize(1);
        assertThat(req.csChargingProfiles().chargingSchedule().chargingSchedulePeriod().get(0).startPeriod()).isZero();
        assertThat(req.csChargingProfiles().chargingSchedule().chargingSchedulePeriod().get(0).limit()).isEqualTo(10.0);
    }

    @Test
    void rejectsChargersNotAllowedGarbageNegativeAndOtherTopics() throws Exception {
        enable(true, "CP-1", "OFFLINE");
        try (TestClient app = new TestClient(broker).subscribe("depot/charger/+/set/+/result", 1)) {
            app.publish("depot/charger/CP-9/set/current_limit", "10");
            assertThat(json(app.next("depot/charger/CP-9/set/current_limit/result", 5000)).get("error").asText())
                    .contains("chargePointIds");
            for (String bad : List.of("ten", "", "-5", "NaN", "{\"value\":10}", "1e999")) {
                app.publish("depot/charger/CP-1/set/current_limit", bad);
                JsonNode r = json(app.next("depot/charger/CP-1/set/current_limit/result", 5000));
                assertThat(r.get("accepted").asBoolean()).as("payload '%s'", bad).isFalse();
            }
            app.publish("depot/charger/CP-1/set/mode", "fast");
            assertThat(app.next("depot/charger/CP-1/set/mode/result", 500)).as("mode is not a command yet").isNull();

            app.publish("depot/charger/OFFLINE/set/current_limit", "10");
            JsonNode r = json(app.next("depot/charger/OFFLINE/set/current_limit/result", 5000));
            assertThat(r.get("accepted").asBoolean()).isFalse();
            assertThat(r.get("error").asText()).contains("not connected");
        }
        assertThat(central.calls).extracting(Call::chargePointId).containsExactly("OFFLINE");
        assertThat(commands.rejected.sum()).isEqualTo(7);
    }

    @Test
    void retainedCommandsAreRejected() throws Exception {
        enable(true, "*");
        // Moquette 0.17 clears the retain flag on delivery, so the flag is handed in as Paho would report it
        commands.onMessage("depot/charger/CP-1/set/current_limit", TestClient.bytes("10"), true);
        assertThat(central.calls).isEmpty();
        commands.onMessage("depot/charger/ANY/set/current_limit", TestClient.bytes("10"), false);
        assertThat(central.calls).hasSize(1);
    }

    @Test
    void offByDefaultListensToNothing() throws Exception {
        enable(false, "*");
        try (TestClient app = new TestClient(broker).subscribe("depot/charger/+/set/+/result", 1)) {
            app.publish("depot/charger/CP-1/set/current_limit", "10");
            assertThat(app.next("depot/charger/CP-1/set/current_limit/result", 500)).isNull();
        }
        assertThat(central.calls).isEmpty();
        assertThat(connection.state().subscriptions()).isEmpty();
    }
}
