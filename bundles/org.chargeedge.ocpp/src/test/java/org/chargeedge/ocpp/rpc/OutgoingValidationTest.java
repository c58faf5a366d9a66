package org.chargeedge.ocpp.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.chargeedge.ocpp.v16.AuthorizeRequest;
import org.chargeedge.ocpp.v16.BootNotificationConfirmation;
import org.chargeedge.ocpp.v16.BootNotificationRequest;
import org.chargeedge.ocpp.v16.ChargingProfile;
import org.chargeedge.ocpp.v16.ChargingProfileKindType;
import org.chargeedge.ocpp.v16.ChargingProfilePurposeType;
import org.chargeedge.ocpp.v16.ChargingRateUnitType;
import org.chargeedge.ocpp.v16.ChargingSchedule;
import org.chargeedge.ocpp.v16.ChargingSchedulePeriod;
import org.chargeedge.ocpp.v16.Confirmation;
import org.chargeedge.ocpp.v16.GetConfigurationConfirmation;
import org.chargeedge.ocpp.v16.IdTagInfo;
import org.chargeedge.ocpp.v16.KeyValue;
import org.chargeedge.ocpp.v16.MeterValue;
import org.chargeedge.ocpp.v16.MeterValuesRequest;
import org.chargeedge.ocpp.v16.RegistrationStatus;
import org.chargeedge.ocpp.v16.RemoteStartTransactionRequest;
import org.chargeedge.ocpp.v16.Request;
import org.chargeedge.ocpp.v16.SampledValue;
import org.chargeedge.ocpp.v16.SetChargingProfileRequest;
import org.chargeedge.ocpp.v16.StartTransactionConfirmation;
import org.chargeedge.ocpp.v16.StatusNotificationRequest;
import org.chargeedge.ocpp.v16.ChargePointErrorCode;
import org.chargeedge.ocpp.v16.ChargePointStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What we send: a message that breaks the specification is refused and no text is produced. */
class OutgoingValidationTest {

    private static final OcppJsonCodec CODEC = new OcppJsonCodec();
    private static final Instant T = Instant.parse("2024-05-01T08:00:00Z");

    private static SetChargingProfileRequest profile(int stackLevel, ChargingSchedule schedule) {
        return new SetChargingProfileRequest(1, new ChargingProfile(1, null, stackLevel, ChargingProfilePurposeType.TxDefaultProfile,
                ChargingProfileKindType.Absolute, null, null, null, schedule));
    }

    private static ChargingSchedule schedule(ChargingSchedulePeriod... periods) {
        return new ChargingSchedule(null, T, ChargingRateUnitType.A, Arrays.asList(periods), null);
    }

    static Stream<Arguments> invalidMessages() {
        return Stream.of(
                Arguments.of("idTag of 21 characters", (Supplier<Object>) () -> new AuthorizeRequest("123456789012345678901"),
                        ErrorCode.PropertyConstraintViolation, "idTag"),
                Arguments.of("missing required field", (Supplier<Object>) () -> new BootNotificationRequest(null, "Model",
                        null, null, null, null, null, null, null), ErrorCode.OccurenceConstraintViolation, "chargePointVendor"),
                Arguments.of("null enumeration", (Supplier<Object>) () -> new BootNotificationConfirmation(T, 300, null),
                        ErrorCode.OccurenceConstraintViolation, "status"),
                Arguments.of("null nested record", (Supplier<Object>) () -> new StartTransactionConfirmation(null, 1),
                        ErrorCode.OccurenceConstraintViolation, "idTagInfo"),
                Arguments.of("null enumeration in nested record", (Supplier<Object>) () -> new StartTransactionConfirmation(IdTagInfo.of(null), 1),
                        ErrorCode.OccurenceConstraintViolation, "idTagInfo.status"),
                Arguments.of("negative connectorId", (Supplier<Object>) () -> new StatusNotificationRequest(-1,
                        ChargePointErrorCode.NoError, null, ChargePointStatus.Available, null, null, null),
                        ErrorCode.PropertyConstraintViolation, "connectorId"),
                Arguments.of("connectorId 0 where > 0 is required", (Supplier<Object>) () -> new RemoteStartTransactionRequest(0, "tag", null),
                        ErrorCode.PropertyConstraintViolation, "connectorId"),
                Arguments.of("empty 1..* list", (Supplier<Object>) () -> new MeterValuesRequest(1, null, List.of()),
                        ErrorCode.OccurenceConstraintViolation, "meterValue"),
                Arguments.of("null list element", (Supplier<Object>) () -> new MeterValuesRequest(1, null, Arrays.asList(
                        new MeterValue(T, List.of(SampledValue.of("1", null, null))), null)),
                        ErrorCode.TypeConstraintViolation, "meterValue[1]"),
                Arguments.of("stackLevel < 0", (Supplier<Object>) () -> profile(-1, schedule(new ChargingSchedulePeriod(0, 16, null))),
                        ErrorCode.PropertyConstraintViolation, "csChargingProfiles.stackLevel"),
                Arguments.of("NaN limit", (Supplier<Object>) () -> profile(0, schedule(new ChargingSchedulePeriod(0, 16, null),
                        new ChargingSchedulePeriod(60, Double.NaN, null))),
                        ErrorCode.PropertyConstraintViolation, "csChargingProfiles.chargingSchedule.chargingSchedulePeriod[1].limit"),
                Arguments.of("numberPhases 0", (Supplier<Object>) () -> profile(0, schedule(new ChargingSchedulePeriod(0, 16, 0))),
                        ErrorCode.PropertyConstraintViolation, "csChargingProfiles.chargingSchedule.chargingSchedulePeriod[0].numberPhases"),
                Arguments.of("missing nested record", (Supplier<Object>) () -> profile(0, null),
                        ErrorCode.OccurenceConstraintViolation, "csChargingProfiles.chargingSchedule"),
                Arguments.of("value of a key over 500", (Supplier<Object>) () -> new GetConfigurationConfirmation(
                        List.of(new KeyValue("K", false, "v".repeat(501))), null),
                        ErrorCode.PropertyConstraintViolation, "configurationKey[0].value"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidMessages")
    void isRefused(String what, Supplier<Object> message, ErrorCode code, String field) {
        Object m = message.get();
        InvalidOutgoingMessageException e = catchThrowableOfType(InvalidOutgoingMessageException.class,
                () -> send(m));
        assertThat(e).as(what).isNotNull();
        OcppValidationException v = e.violation().orElseThrow();
        assertThat(v.errorCode()).isEqualTo(code);
        assertThat(v.field()).isEqualTo(field);
        assertThat(e.getMessage()).startsWith("refusing to send invalid ").contains(field);
    }

    private static String send(Object message) {
        return message instanceof Request<?> r ? CODEC.encodeCall("id-1", r) : CODEC.encodeCallResult("id-1", (Confirmation) message);
    }

    @Test
    void theIdTagMessageNamesTheLimit() {
        assertThat(catchThrowableOfType(InvalidOutgoingMessageException.class,
                () -> CODEC.encodeCall("1", new AuthorizeRequest("123456789012345678901"))))
                .hasMessage("refusing to send invalid Authorize.req idTag: CiString20Type allows at most 20 characters, got 21:"
                        + " \"123456789012345678901\"");
    }

    @Test
    void aValidMessageIsEncodedCompactlyWithoutAbsentFields() {
        assertThat(CODEC.encodeCallResult("b1", new BootNotificationConfirmation(T, 300, RegistrationStatus.Accepted)))
                .isEqualTo("[3,\"b1\",{\"currentTime\":\"2024-05-01T08:00:00Z\",\"interval\":300,\"status\":\"Accepted\"}]");
        assertThat(CODEC.encodeCall("a1", new AuthorizeRequest("12345678901234567890")))
                .isEqualTo("[2,\"a1\",\"Authorize\",{\"idTag\":\"12345678901234567890\"}]");
    }

    @Test
    void badMessageIdsAreRefused() {
        AuthorizeRequest ok = new AuthorizeRequest("tag");
        assertThat(catchThrowableOfType(InvalidOutgoingMessageException.class, () -> CODEC.encodeCall(null, ok)))
                .hasMessageContaining("message id is null");
        assertThat(catchThrowableOfType(InvalidOutgoingMessageException.class, () -> CODEC.encodeCall("x".repeat(37), ok)))
                .hasMessageContaining("longer than 36");
        assertThat(catchThrowableOfType(InvalidOutgoingMessageException.class,
                () -> CODEC.encodeCallResult("x".repeat(37), IdTagInfoConfirmation.ACCEPTED))).isNotNull();
        assertThat(CODEC.encodeCall("x".repeat(36), ok)).contains("x".repeat(36));
    }

    @Test
    void nullMessagesAreRefused() {
        assertThat(catchThrowableOfType(InvalidOutgoingMessageException.class, () -> CODEC.encodeCall("1", null))).isNotNull();
        assertThat(catchThrowableOfType(InvalidOutgoingMessageException.class, () -> CODEC.encodeCallResult("1", null))).isNotNull();
    }

    /** A confirmation to use where any valid one will do. */
    private static final class IdTagInfoConfirmation {
        static final Confirmation ACCEPTED = new org.chargeedge.ocpp.v16.AuthorizeConfirmation(
                IdTagInfo.of(org.chargeedge.ocpp.v16.AuthorizationStatus.Accepted));
    }
}
