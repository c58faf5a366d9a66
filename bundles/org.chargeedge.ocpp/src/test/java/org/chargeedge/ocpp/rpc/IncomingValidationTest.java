package org.chargeedge.ocpp.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.chargeedge.ocpp.rpc.ErrorCode.FormationViolation;
import static org.chargeedge.ocpp.rpc.ErrorCode.OccurenceConstraintViolation;
import static org.chargeedge.ocpp.rpc.ErrorCode.PropertyConstraintViolation;
import static org.chargeedge.ocpp.rpc.ErrorCode.TypeConstraintViolation;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import org.chargeedge.ocpp.internal.Json;
import org.chargeedge.ocpp.v16.Action;
import org.chargeedge.ocpp.v16.BootNotificationRequest;
import org.chargeedge.ocpp.v16.ChargePointStatus;
import org.chargeedge.ocpp.v16.HeartbeatConfirmation;
import org.chargeedge.ocpp.v16.MeterValuesRequest;
import org.chargeedge.ocpp.v16.SampledValue;
import org.chargeedge.ocpp.v16.SetChargingProfileRequest;
import org.chargeedge.ocpp.v16.StatusNotificationRequest;
import org.chargeedge.ocpp.v16.UnitOfMeasure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What we receive: each kind of invalid field gives its error code and names the field. */
class IncomingValidationTest {

    private static final OcppJsonCodec CODEC = new OcppJsonCodec();
    private static final String SV = "{\"timestamp\":\"2024-05-01T08:15:00Z\",\"sampledValue\":[{\"value\":\"1\"},%s]}";

    static JsonNode json(String text) throws Exception {
        return Json.MAPPER.readTree(text);
    }

    /** Decodes {@code payload} as the request ("req") or confirmation ("conf") of {@code action}. */
    static Object decode(String action, String kind, String payload) throws Exception {
        Action a = Action.valueOf(action);
        return kind.equals("req") ? CODEC.decodeRequest(a, json(payload)) : CODEC.decodeConfirmation(a, json(payload));
    }

    @ParameterizedTest(name = "{0}.{1} {2} -> {3} at {4}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
        # missing required field, also nested, deep in lists, or JSON null
        BootNotification | req  | {"chargePointVendor":"ABB"}                              | OccurenceConstraintViolation | chargePointModel
        Authorize        | conf | {"idTagInfo":{"expiryDate":"2024-05-01T00:00:00Z"}}       | OccurenceConstraintViolation | idTagInfo.status
        StartTransaction | conf | {"idTagInfo":{"status":"Accepted"},"transactionId":null} | OccurenceConstraintViolation | transactionId
        MeterValues      | req  | {"connectorId":1,"meterValue":[{"timestamp":"2024-05-01T08:15:00Z","sampledValue":[{"value":"1"},{"measurand":"Voltage"}]}]} | OccurenceConstraintViolation | meterValue[0].sampledValue[1].value
        MeterValues      | req  | {"connectorId":1,"meterValue":[]}                        | OccurenceConstraintViolation | meterValue
        MeterValues      | req  | {"connectorId":1,"meterValue":[{"timestamp":"2024-05-01T08:15:00Z","sampledValue":[]}]} | OccurenceConstraintViolation | meterValue[0].sampledValue
        SetChargingProfile | req | {"connectorId":1,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":0,"chargingProfilePurpose":"TxProfile","chargingProfileKind":"Absolute"}} | OccurenceConstraintViolation | csChargingProfiles.chargingSchedule
        # wrong JSON type
        StatusNotification | req | {"connectorId":"1","errorCode":"NoError","status":"Available"} | TypeConstraintViolation | connectorId
        StatusNotification | req | {"connectorId":1.5,"errorCode":"NoError","status":"Available"} | TypeConstraintViolation | connectorId
        MeterValues      | req  | {"connectorId":1,"meterValue":{"timestamp":"2024-05-01T08:15:00Z"}} | TypeConstraintViolation | meterValue
        Authorize        | conf | {"idTagInfo":[{"status":"Accepted"}]}                    | TypeConstraintViolation | idTagInfo
        Authorize        | req  | {"idTag":12345678}                                       | TypeConstraintViolation | idTag
        GetConfiguration | conf | {"configurationKey":[{"key":"K","readonly":"false"}]}    | TypeConstraintViolation | configurationKey[0].readonly
        GetConfiguration | req  | {"key":["HeartbeatInterval",null]}                       | TypeConstraintViolation | key[1]
        SetChargingProfile | req | {"connectorId":1,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":0,"chargingProfilePurpose":"TxProfile","chargingProfileKind":"Absolute","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":"16"}]}}} | TypeConstraintViolation | csChargingProfiles.chargingSchedule.chargingSchedulePeriod[0].limit
        # value not in the enumeration (case-sensitive)
        StatusNotification | req | {"connectorId":1,"errorCode":"NoError","status":"Busy"}  | PropertyConstraintViolation | status
        BootNotification | conf | {"currentTime":"2024-05-01T08:00:00Z","interval":300,"status":"accepted"} | PropertyConstraintViolation | status
        MeterValues      | req  | {"connectorId":1,"meterValue":[{"timestamp":"2024-05-01T08:15:00Z","sampledValue":[{"value":"1"},{"value":"2","measurand":"Energy.Active.Import"}]}]} | PropertyConstraintViolation | meterValue[0].sampledValue[1].measurand
        # string over its CiString length
        Authorize        | req  | {"idTag":"123456789012345678901"}                        | PropertyConstraintViolation | idTag
        GetConfiguration | req  | {"key":["123456789012345678901234567890123456789012345678901"]} | PropertyConstraintViolation | key[0]
        StatusNotification | req | {"connectorId":1,"errorCode":"OtherError","status":"Faulted","info":"123456789012345678901234567890123456789012345678901"} | PropertyConstraintViolation | info
        BootNotification | req  | {"chargePointVendor":"ABB","chargePointModel":"M","firmwareVersion":"123456789012345678901234567890123456789012345678901"} | PropertyConstraintViolation | firmwareVersion
        # number out of range
        StatusNotification | req | {"connectorId":-1,"errorCode":"NoError","status":"Available"} | PropertyConstraintViolation | connectorId
        StartTransaction | req  | {"connectorId":0,"idTag":"A","meterStart":0,"timestamp":"2024-05-01T08:10:00Z"} | PropertyConstraintViolation | connectorId
        RemoteStopTransaction | req | {"transactionId":3000000000}                          | PropertyConstraintViolation | transactionId
        SetChargingProfile | req | {"connectorId":1,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":-1,"chargingProfilePurpose":"TxProfile","chargingProfileKind":"Absolute","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":16}]}}} | PropertyConstraintViolation | csChargingProfiles.stackLevel
        SetChargingProfile | req | {"connectorId":1,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":0,"chargingProfilePurpose":"TxProfile","chargingProfileKind":"Absolute","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":-6}]}}} | PropertyConstraintViolation | csChargingProfiles.chargingSchedule.chargingSchedulePeriod[0].limit
        GetCompositeSchedule | conf | {"status":"Accepted","chargingSchedule":{"chargingRateUnit":"W","chargingSchedulePeriod":[{"startPeriod":0,"limit":11000,"numberPhases":4}]}} | PropertyConstraintViolation | chargingSchedule.chargingSchedulePeriod[0].numberPhases
        # invalid date-time: a TypeConstraintViolation (dateTime is an OCPP data type)
        Heartbeat        | conf | {"currentTime":"yesterday"}                              | TypeConstraintViolation | currentTime
        Heartbeat        | conf | {"currentTime":"2024-02-30T10:00:00Z"}                   | TypeConstraintViolation | currentTime
        Heartbeat        | conf | {"currentTime":"2024-05-01"}                             | TypeConstraintViolation | currentTime
        Heartbeat        | conf | {"currentTime":1714550400}                               | TypeConstraintViolation | currentTime
        StopTransaction  | req  | {"meterStop":1,"timestamp":"2024-05-01T09:40:00Z","transactionId":1,"transactionData":[{"timestamp":"01.05.2024 09:40","sampledValue":[{"value":"1"}]}]} | TypeConstraintViolation | transactionData[0].timestamp
        """)
    void rejectsInvalidField(String action, String kind, String payload, ErrorCode code, String field) {
        OcppValidationException e = catchThrowableOfType(OcppValidationException.class, () -> decode(action, kind, payload));
        assertThat(e).as("decoding %s", payload).isNotNull();
        assertThat(e.errorCode()).isEqualTo(code);
        assertThat(e.field()).isEqualTo(field);
        assertThat(e.getMessage()).startsWith(action + "." + kind + " " + field + ": ");
    }

    @Test
    void messagesTellTheInstallerTheOffendingValueAndTheLimit() {
        assertThat(catchThrowableOfType(OcppValidationException.class,
                () -> decode("Authorize", "req", "{\"idTag\":\"123456789012345678901\"}")))
                .hasMessage("Authorize.req idTag: CiString20Type allows at most 20 characters, got 21: \"123456789012345678901\"");
        assertThat(catchThrowableOfType(OcppValidationException.class,
                () -> decode("MeterValues", "req", "{\"connectorId\":1,\"meterValue\":[" + SV.formatted("{\"value\":\"2\",\"measurand\":\"Energy\"}") + "]}")))
                .hasMessageStartingWith("MeterValues.req meterValue[0].sampledValue[1].measurand: \"Energy\" is not a Measurand (allowed: Current.Export, ");
        assertThat(catchThrowableOfType(OcppValidationException.class,
                () -> decode("StatusNotification", "req", "{\"connectorId\":-1,\"errorCode\":\"NoError\",\"status\":\"Available\"}")))
                .hasMessage("StatusNotification.req connectorId: -1 is out of range, allowed >= 0");
        assertThat(catchThrowableOfType(OcppValidationException.class,
                () -> decode("StatusNotification", "req", "{\"connectorId\":\"1\",\"errorCode\":\"NoError\",\"status\":\"Available\"}")))
                .hasMessage("StatusNotification.req connectorId: expected an integer, got the string \"1\"");
        assertThat(catchThrowableOfType(OcppValidationException.class,
                () -> decode("Heartbeat", "conf", "{\"currentTime\":\"yesterday\"}")))
                .hasMessage("Heartbeat.conf currentTime: expected an RFC 3339 date-time such as \"2024-05-01T12:00:00Z\", got \"yesterday\"");
        assertThat(catchThrowableOfType(OcppValidationException.class,
                () -> decode("BootNotification", "req", "{\"chargePointVendor\":\"ABB\"}")))
                .hasMessage("BootNotification.req chargePointModel: required field is missing");
    }

    @Test
    void aHostileLongValueIsCutInTheMessage() {
        String huge = "x".repeat(100_000);
        OcppValidationException e = catchThrowableOfType(OcppValidationException.class,
                () -> decode("Authorize", "req", "{\"idTag\":\"" + huge + "\"}"));
        assertThat(e.getMessage()).hasSizeLessThan(200).contains("(100000 characters)");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
        req  | []
        req  | "Heartbeat"
        req  | 42
        req  | null
        conf | [{"currentTime":"2024-05-01T08:05:00Z"}]
        """)
    void aPayloadThatIsNotAnObjectIsAFormationViolation(String kind, String payload) {
        OcppValidationException e = catchThrowableOfType(OcppValidationException.class, () -> decode("Heartbeat", kind, payload));
        assertThat(e.errorCode()).isEqualTo(FormationViolation);
        assertThat(e.field()).isEmpty();
        assertThat(e.getMessage()).contains("not a JSON object");
    }

    @Test
    void aMissingPayloadIsAFormationViolation() {
        OcppValidationException e = catchThrowableOfType(OcppValidationException.class,
                () -> CODEC.decodeRequest(Action.Heartbeat, null));
        assertThat(e.errorCode()).isEqualTo(FormationViolation);
    }

    // ---- tolerance: what real firmware sends and we accept

    @Test
    void unknownFieldsAreIgnoredAtEveryLevel() throws Exception {
        Object decoded = decode("MeterValues", "req", "{\"connectorId\":1,\"vendorField\":{\"x\":[1,2]},\"meterValue\":["
                + "{\"timestamp\":\"2024-05-01T08:15:00Z\",\"extra\":true,\"sampledValue\":[{\"value\":\"5\",\"signature\":\"abc\"}]}]}");
        assertThat(decoded).isEqualTo(new MeterValuesRequest(1, null, java.util.List.of(new org.chargeedge.ocpp.v16.MeterValue(
                Instant.parse("2024-05-01T08:15:00Z"), java.util.List.of(new SampledValue("5", null, null, null, null, null, null))))));
    }

    @Test
    void anOptionalFieldThatIsNullIsAbsent() throws Exception {
        StatusNotificationRequest r = (StatusNotificationRequest) decode("StatusNotification", "req",
                "{\"connectorId\":1,\"errorCode\":\"NoError\",\"status\":\"Available\",\"info\":null,\"timestamp\":null}");
        assertThat(r.info()).isNull();
        assertThat(r.timestamp()).isNull();
        assertThat(r.status()).isEqualTo(ChargePointStatus.Available);
        assertThat(CODEC.encodeCall("1", r)).isEqualTo(
                "[2,\"1\",\"StatusNotification\",{\"connectorId\":1,\"errorCode\":\"NoError\",\"status\":\"Available\"}]");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
        2024-05-01T08:00:00Z                | 2024-05-01T08:00:00Z
        2024-05-01T08:00:00.5Z              | 2024-05-01T08:00:00.500Z
        2024-05-01T08:00:00.123456789Z      | 2024-05-01T08:00:00.123456789Z
        2024-05-01T10:00:00+02:00           | 2024-05-01T08:00:00Z
        2024-05-01T03:30:00-04:30           | 2024-05-01T08:00:00Z
        2024-05-01T10:00:00+0200            | 2024-05-01T08:00:00Z
        2024-05-01t08:00:00z                | 2024-05-01T08:00:00Z
        2024-05-01T08:00:00                 | 2024-05-01T08:00:00Z
        2024-05-01T08:00:00.250             | 2024-05-01T08:00:00.250Z
        """)
    void dateTimesWithAnyOffsetOrWithoutOneAreRead(String wire, String expected) throws Exception {
        HeartbeatConfirmation c = (HeartbeatConfirmation) decode("Heartbeat", "conf", "{\"currentTime\":\"" + wire + "\"}");
        assertThat(c.currentTime()).isEqualTo(Instant.parse(expected));
        assertThat(CODEC.encodeCallResult("1", c)).isEqualTo("[3,\"1\",{\"currentTime\":\"" + Instant.parse(expected) + "\"}]");
    }

    @Test
    void limitsWithMoreThanOneDecimalAndIntegersWrittenAsDecimalsAreAccepted() throws Exception {
        SetChargingProfileRequest r = (SetChargingProfileRequest) decode("SetChargingProfile", "req",
                "{\"connectorId\":1.0,\"csChargingProfiles\":{\"chargingProfileId\":1,\"stackLevel\":0,\"chargingProfilePurpose\":"
                        + "\"TxProfile\",\"chargingProfileKind\":\"Absolute\",\"chargingSchedule\":{\"chargingRateUnit\":\"A\","
                        + "\"chargingSchedulePeriod\":[{\"startPeriod\":0,\"limit\":16.25},{\"startPeriod\":60,\"limit\":10}]}}}");
        assertThat(r.connectorId()).isEqualTo(1);
        assertThat(r.csChargingProfiles().chargingSchedule().chargingSchedulePeriod())
                .extracting(p -> p.limit()).containsExactly(16.25, 10.0);
    }

    @Test
    void theCelciusMisspellingOfTheJsonSchemaIsReadAsCelsius() throws Exception {
        MeterValuesRequest r = (MeterValuesRequest) decode("MeterValues", "req", "{\"connectorId\":1,\"meterValue\":["
                + SV.formatted("{\"value\":\"21\",\"measurand\":\"Temperature\",\"unit\":\"Celcius\"}") + "]}");
        assertThat(r.meterValue().get(0).sampledValue().get(1).unit()).isEqualTo(UnitOfMeasure.Celsius);
        assertThat(CODEC.encodeCall("m", r)).contains("\"unit\":\"Celsius\"").doesNotContain("Celcius");
    }

    @Test
    void decodedListsAreImmutable() throws Exception {
        BootNotificationRequest ignored = (BootNotificationRequest) decode("BootNotification", "req",
                "{\"chargePointVendor\":\"ABB\",\"chargePointModel\":\"M\"}");
        assertThat(ignored.chargePointSerialNumber()).isNull();
        MeterValuesRequest r = (MeterValuesRequest) decode("MeterValues", "req", "{\"connectorId\":1,\"meterValue\":["
                + SV.formatted("{\"value\":\"2\"}") + "]}");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> r.meterValue().clear())
                .isInstanceOf(UnsupportedOperationException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> r.meterValue().get(0).sampledValue().remove(0))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
