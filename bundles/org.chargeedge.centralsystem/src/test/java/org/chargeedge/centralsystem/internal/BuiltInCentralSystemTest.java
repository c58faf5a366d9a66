package org.chargeedge.centralsystem.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.chargeedge.api.charger.CallContext;
import org.chargeedge.ocpp.v16.Action;
import org.chargeedge.ocpp.v16.AuthorizationStatus;
import org.chargeedge.ocpp.v16.AuthorizeConfirmation;
import org.chargeedge.ocpp.v16.AuthorizeRequest;
import org.chargeedge.ocpp.v16.BootNotificationConfirmation;
import org.chargeedge.ocpp.v16.BootNotificationRequest;
import org.chargeedge.ocpp.v16.ChargePointErrorCode;
import org.chargeedge.ocpp.v16.ChargePointStatus;
import org.chargeedge.ocpp.v16.Confirmation;
import org.chargeedge.ocpp.v16.DataTransferConfirmation;
import org.chargeedge.ocpp.v16.DataTransferRequest;
import org.chargeedge.ocpp.v16.DataTransferStatus;
import org.chargeedge.ocpp.v16.DiagnosticsStatus;
import org.chargeedge.ocpp.v16.DiagnosticsStatusNotificationConfirmation;
import org.chargeedge.ocpp.v16.DiagnosticsStatusNotificationRequest;
import org.chargeedge.ocpp.v16.FirmwareStatus;
import org.chargeedge.ocpp.v16.FirmwareStatusNotificationConfirmation;
import org.chargeedge.ocpp.v16.FirmwareStatusNotificationRequest;
import org.chargeedge.ocpp.v16.HeartbeatConfirmation;
import org.chargeedge.ocpp.v16.HeartbeatRequest;
import org.chargeedge.ocpp.v16.IdTagInfo;
import org.chargeedge.ocpp.v16.Measurand;
import org.chargeedge.ocpp.v16.MeterValue;
import org.chargeedge.ocpp.v16.MeterValuesConfirmation;
import org.chargeedge.ocpp.v16.MeterValuesRequest;
import org.chargeedge.ocpp.v16.Reason;
import org.chargeedge.ocpp.v16.RegistrationStatus;
import org.chargeedge.ocpp.v16.ResetRequest;
import org.chargeedge.ocpp.v16.ResetType;
import org.chargeedge.ocpp.v16.SampledValue;
import org.chargeedge.ocpp.v16.StartTransactionConfirmation;
import org.chargeedge.ocpp.v16.StartTransactionRequest;
import org.chargeedge.ocpp.v16.StatusNotificationConfirmation;
import org.chargeedge.ocpp.v16.StatusNotificationRequest;
import org.chargeedge.ocpp.v16.StopTransactionConfirmation;
import org.chargeedge.ocpp.v16.StopTransactionRequest;
import org.chargeedge.ocpp.v16.UnitOfMeasure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuiltInCentralSystemTest {

    private static final Instant NOW = Instant.parse("2031-02-03T04:05:06.789Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @TempDir
    Path dir;

    private BuiltInCentralSystem builtIn(AuthorizationPolicy policy, String accepted) {
        return new BuiltInCentralSystem(CLOCK, 77, policy, accepted,
                new TransactionIdIssuer(dir.resolve("transaction-ids"), 10), (cp, start) -> java.util.OptionalInt.empty());
    }

    @Test
    void aStartTransactionSentAgainGetsTheIdOfTheTransactionItStarted() throws Exception {
        StartTransactionRequest start = new StartTransactionRequest(1, "A1", 500, null, NOW);
        BuiltInCentralSystem b = new BuiltInCentralSystem(CLOCK, 77, AuthorizationPolicy.AcceptAll, "",
                new TransactionIdIssuer(dir.resolve("transaction-ids"), 10),
                (cp, s) -> cp.equals("CP1") && s.equals(start) ? java.util.OptionalInt.of(42)
                        : java.util.OptionalInt.empty());
        assertThat(((StartTransactionConfirmation) b.answer("CP1", start)).transactionId()).isEqualTo(42);
        assertThat(((StartTransactionConfirmation) b.answer("CP2", start)).transactionId()).isNotEqualTo(42);
    }

    private static AuthorizeRequest authorize(String idTag) {
        return new AuthorizeRequest(idTag);
    }

    private static AuthorizationStatus status(BuiltInCentralSystem b, String idTag) {
        return ((AuthorizeConfirmation) b.answer(authorize(idTag))).idTagInfo().status();
    }

    @Test
    void bootNotificationIsAcceptedWithTheConfiguredIntervalAndTheClock() {
        Confirmation c = builtIn(AuthorizationPolicy.AcceptAll, "").answer(
                new BootNotificationRequest("V", "M", null, null, null, null, null, null, null));
        assertThat(c).isEqualTo(new BootNotificationConfirmation(NOW, 77, RegistrationStatus.Accepted));
    }

    @Test
    void heartbeatGivesTheTime() {
        assertThat(builtIn(AuthorizationPolicy.AcceptAll, "").answer(new HeartbeatRequest()))
                .isEqualTo(new HeartbeatConfirmation(NOW));
    }

    @Test
    void notificationsAreAcknowledged() {
        BuiltInCentralSystem b = builtIn(AuthorizationPolicy.RejectAll, "");
        assertThat(b.answer(new StatusNotificationRequest(1, ChargePointErrorCode.NoError, null,
                ChargePointStatus.Available, null, null, null))).isEqualTo(new StatusNotificationConfirmation());
        assertThat(b.answer(new MeterValuesRequest(1, null, List.of(new MeterValue(NOW,
                List.of(SampledValue.of("1", Measurand.EnergyActiveImportRegister, UnitOfMeasure.Wh)))))))
                .isEqualTo(new MeterValuesConfirmation());
        assertThat(b.answer(new DiagnosticsStatusNotificationRequest(DiagnosticsStatus.Uploaded)))
                .isEqualTo(new DiagnosticsStatusNotificationConfirmation());
        assertThat(b.answer(new FirmwareStatusNotificationRequest(FirmwareStatus.Installing)))
                .isEqualTo(new FirmwareStatusNotificationConfirmation());
    }

    @Test
    void dataTransferIsUnknownVendorId() {
        assertThat(builtIn(AuthorizationPolicy.AcceptAll, "").answer(new DataTransferRequest("any", "m", "d")))
                .isEqualTo(new DataTransferConfirmation(DataTransferStatus.UnknownVendorId, null));
    }

    @Test
    void acceptAllAcceptsAnyIdTag() {
        BuiltInCentralSystem b = builtIn(AuthorizationPolicy.AcceptAll, "");
        assertThat(status(b, "ANY")).isEqualTo(AuthorizationStatus.Accepted);
        assertThat(((AuthorizeConfirmation) b.answer(authorize("ANY"))).idTagInfo())
                .isEqualTo(IdTagInfo.of(AuthorizationStatus.Accepted));
    }

    @Test
    void acceptListedAcceptsOnlyTheTrimmedListedIdTags() {
        BuiltInCentralSystem b = builtIn(AuthorizationPolicy.AcceptListed, " A1 ,B2,, ");
        assertThat(status(b, "A1")).isEqualTo(AuthorizationStatus.Accepted);
        assertThat(status(b, "B2")).isEqualTo(AuthorizationStatus.Accepted);
        assertThat(status(b, "C3")).isEqualTo(AuthorizationStatus.Invalid);
        assertThat(status(b, "")).isEqualTo(AuthorizationStatus.Invalid);
        assertThat(status(b, " A1 ")).isEqualTo(AuthorizationStatus.Invalid);
    }

    @Test
    void acceptListedWithAnEmptyListAcceptsNobody() {
        assertThat(status(builtIn(AuthorizationPolicy.AcceptListed, ""), "A1")).isEqualTo(AuthorizationStatus.Invalid);
    }

    /** OCPP 1.6 defines idTag as CiString20Type: a case-insensitive string. */
    @Test
    void acceptListedComparesIdTagsCaseInsensitively() {
        BuiltInCentralSystem b = builtIn(AuthorizationPolicy.AcceptListed, "04A2B3C4");
        assertThat(status(b, "04a2b3c4")).isEqualTo(AuthorizationStatus.Accepted);
    }

    @Test
    void rejectAllRejectsEvenListedIdTags() {
        assertThat(status(builtIn(AuthorizationPolicy.RejectAll, "A1"), "A1")).isEqualTo(AuthorizationStatus.Invalid);
    }

    @Test
    void startTransactionIssuesIncreasingIdsAndAppliesThePolicy() {
        BuiltInCentralSystem b = builtIn(AuthorizationPolicy.AcceptListed, "A1");
        StartTransactionConfirmation first = (StartTransactionConfirmation) b.answer(
                new StartTransactionRequest(1, "A1", 0, null, NOW));
        StartTransactionConfirmation second = (StartTransactionConfirmation) b.answer(
                new StartTransactionRequest(2, "ZZ", 0, null, NOW));
        assertThat(first.idTagInfo().status()).isEqualTo(AuthorizationStatus.Accepted);
        assertThat(second.idTagInfo().status()).isEqualTo(AuthorizationStatus.Invalid);
        assertThat(second.transactionId()).isGreaterThan(first.transactionId());
        assertThat(first.transactionId()).isPositive();
    }

    @Test
    void stopTransactionAuthorizesItsIdTagOnlyWhenGiven() {
        BuiltInCentralSystem b = builtIn(AuthorizationPolicy.AcceptListed, "A1");
        assertThat(b.answer(new StopTransactionRequest(null, 10, NOW, 1, Reason.Local, null)))
                .isEqualTo(new StopTransactionConfirmation(null));
        assertThat(b.answer(new StopTransactionRequest("A1", 10, NOW, 1, null, null)))
                .isEqualTo(new StopTransactionConfirmation(IdTagInfo.of(AuthorizationStatus.Accepted)));
        assertThat(b.answer(new StopTransactionRequest("ZZ", 10, NOW, 1, null, null)))
                .isEqualTo(new StopTransactionConfirmation(IdTagInfo.of(AuthorizationStatus.Invalid)));
    }

    @Test
    void everyChargePointActionHasAnAnswerOfItsOwnType() {
        BuiltInCentralSystem b = builtIn(AuthorizationPolicy.AcceptAll, "");
        List<org.chargeedge.ocpp.v16.Request<?>> requests = List.of(
                new AuthorizeRequest("T"),
                new BootNotificationRequest("V", "M", null, null, null, null, null, null, null),
                new HeartbeatRequest(),
                new MeterValuesRequest(1, null, List.of(new MeterValue(NOW,
                        List.of(SampledValue.of("1", Measurand.EnergyActiveImportRegister, UnitOfMeasure.Wh))))),
                new StartTransactionRequest(1, "T", 0, null, NOW),
                new StatusNotificationRequest(1, ChargePointErrorCode.NoError, null, ChargePointStatus.Available,
                        null, null, null),
                new StopTransactionRequest(null, 1, NOW, 1, null, null),
                new DataTransferRequest("v", null, null),
                new DiagnosticsStatusNotificationRequest(DiagnosticsStatus.Idle),
                new FirmwareStatusNotificationRequest(FirmwareStatus.Idle));
        assertThat(requests).extracting(org.chargeedge.ocpp.v16.Request::action).containsExactlyInAnyOrder(
                java.util.Arrays.stream(Action.values()).filter(a -> a.initiator().chargePoint())
                        .toArray(Action[]::new));
        for (org.chargeedge.ocpp.v16.Request<?> r : requests) {
            Confirmation c = b.handle(new CallContext("CP", "m1", NOW), r).toCompletableFuture().join();
            assertThat(c.action()).isEqualTo(r.action());
            assertThat(c.getClass()).isEqualTo(r.action().confirmationType());
        }
    }

    @Test
    void centralSystemActionsAreRefused() {
        assertThatThrownBy(() -> builtIn(AuthorizationPolicy.AcceptAll, "").answer(new ResetRequest(ResetType.Hard)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
