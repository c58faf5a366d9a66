package org.chargeedge.centralsystem.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.chargeedge.centralsystem.internal.Await.failure;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

import org.chargeedge.api.charger.ChargerCallException;
import org.chargeedge.api.charger.ChargerCallHandler;
import org.chargeedge.api.charger.ChargerEvents;
import org.chargeedge.api.charger.ChargerInfo;
import org.chargeedge.api.charger.ConnectorInfo;
import org.chargeedge.api.charger.TransactionInfo;
import org.chargeedge.ocpp.v16.ChargePointErrorCode;
import org.chargeedge.ocpp.v16.ChargePointStatus;
import org.chargeedge.ocpp.v16.DataTransferConfirmation;
import org.chargeedge.ocpp.v16.DataTransferRequest;
import org.chargeedge.ocpp.v16.HeartbeatRequest;
import org.chargeedge.ocpp.v16.ResetRequest;
import org.chargeedge.ocpp.v16.ResetType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;

import eu.chargetime.ocpp.model.core.AuthorizationStatus;
import eu.chargetime.ocpp.model.core.AuthorizeConfirmation;
import eu.chargetime.ocpp.model.core.BootNotificationConfirmation;
import eu.chargetime.ocpp.model.core.BootNotificationRequest;
import eu.chargetime.ocpp.model.core.DataTransferStatus;
import eu.chargetime.ocpp.model.core.HeartbeatConfirmation;
import eu.chargetime.ocpp.model.core.MeterValuesConfirmation;
import eu.chargetime.ocpp.model.core.MeterValuesRequest;
import eu.chargetime.ocpp.model.core.Reason;
import eu.chargetime.ocpp.model.core.RegistrationStatus;
import eu.chargetime.ocpp.model.core.StartTransactionConfirmation;
import eu.chargetime.ocpp.model.core.StartTransactionRequest;
import eu.chargetime.ocpp.model.core.StatusNotificationRequest;
import eu.chargetime.ocpp.model.core.StopTransactionConfirmation;
import eu.chargetime.ocpp.model.core.StopTransactionRequest;

/**
 * The gateway as the central system of a charger built on ChargeTimeEU's
 * independent OCPP 1.6J implementation: a whole charging session, the site
 * view it produces, authorization policies and DataTransfer.
 */
class ChargeTimeInteropTest {

    @TempDir
    Path dataDir;
    private CentralSystemHarness harness;
    private final List<AutoCloseable> toClose = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        if (harness != null) {
            harness.close();
        }
    }

    private ChargeTimeCharger charger(String id) throws Exception {
        ChargeTimeCharger charger = ChargeTimeCharger.connect(harness, id);
        toClose.add(charger);
        return charger;
    }

    private static ZonedDateTime utc(String text) {
        return ZonedDateTime.parse(text).withZoneSameInstant(ZoneOffset.UTC);
    }

    /** Records what the central system posts to EventAdmin. */
    static final class RecordingEventAdmin implements EventAdmin {
        final List<Event> events = new CopyOnWriteArrayList<>();

        @Override
        public void postEvent(Event event) {
            events.add(event);
        }

        @Override
        public void sendEvent(Event event) {
            events.add(event);
        }

        List<String> topics() {
            return events.stream().map(Event::getTopic).toList();
        }
    }

    @Test
    void chargingSessionIsAnsweredAndShownInTheSiteView() throws Exception {
        harness = new CentralSystemHarness(dataDir, Map.of("heartbeatInterval", 123));
        RecordingEventAdmin eventAdmin = new RecordingEventAdmin();
        harness.centralSystem.setEventAdmin(eventAdmin);
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        ChargeTimeCharger cp = charger("CT-SESSION");

        BootNotificationRequest boot = cp.core.createBootNotificationRequest("VendorX", "ModelY");
        boot.setChargePointSerialNumber("SN-0001");
        boot.setFirmwareVersion("fw-1.2.3");
        boot.setMeterType("DZG");
        BootNotificationConfirmation booted = cp.send(boot);
        assertThat(booted.getStatus()).isEqualTo(RegistrationStatus.Accepted);
        assertThat(booted.getInterval()).isEqualTo(123);
        assertThat(booted.getCurrentTime().toInstant()).isBetween(before, Instant.now().plusSeconds(1));

        HeartbeatConfirmation heartbeat = cp.send(cp.core.createHeartbeatRequest());
        assertThat(heartbeat.getCurrentTime().toInstant()).isBetween(before, Instant.now().plusSeconds(1));

        ZonedDateTime statusAt = utc("2030-01-01T10:00:00Z");
        StatusNotificationRequest status = cp.core.createStatusNotificationRequest(1,
                eu.chargetime.ocpp.model.core.ChargePointErrorCode.NoError,
                eu.chargetime.ocpp.model.core.ChargePointStatus.Preparing);
        status.setTimestamp(statusAt);
        status.setInfo("cable plugged");
        cp.send(status);

        AuthorizeConfirmation authorized = cp.send(cp.core.createAuthorizeRequest("TAG-1"));
        assertThat(authorized.getIdTagInfo().getStatus()).isEqualTo(AuthorizationStatus.Accepted);

        ZonedDateTime startAt = utc("2030-01-01T10:01:00Z");
        StartTransactionRequest start = cp.core.createStartTransactionRequest(1, "TAG-1", 1000, startAt);
        StartTransactionConfirmation started = cp.send(start);
        assertThat(started.getIdTagInfo().getStatus()).isEqualTo(AuthorizationStatus.Accepted);
        int txId = started.getTransactionId();
        assertThat(txId).isPositive();

        ChargerInfo during = harness.centralSystem.charger("CT-SESSION").orElseThrow();
        assertThat(during.openTransactions()).containsExactly(
                new TransactionInfo(txId, 1, "TAG-1", 1000, startAt.toInstant(), null));

        ZonedDateTime meterAt = utc("2030-01-01T10:15:00Z");
        MeterValuesRequest meter = cp.core.createMeterValuesRequest(1, meterAt, "1500");
        meter.setTransactionId(txId);
        MeterValuesConfirmation metered = cp.send(meter);
        assertThat(metered).isNotNull();

        ChargerInfo metering = harness.centralSystem.charger("CT-SESSION").orElseThrow();
        ConnectorInfo connector = metering.connector(1).orElseThrow();
        assertThat(connector.status()).isEqualTo(ChargePointStatus.Preparing);
        assertThat(connector.errorCode()).isEqualTo(ChargePointErrorCode.NoError);
        assertThat(connector.info()).isEqualTo("cable plugged");
        assertThat(connector.statusTimestamp()).isEqualTo(statusAt.toInstant());
        assertThat(connector.latestMeterValue().timestamp()).isEqualTo(meterAt.toInstant());
        assertThat(connector.latestMeterValue().sampledValue()).singleElement()
                .satisfies(v -> assertThat(v.value()).isEqualTo("1500"));
        assertThat(metering.transaction(txId).orElseThrow().latestMeterValue())
                .isEqualTo(connector.latestMeterValue());

        StopTransactionRequest stop = cp.core.createStopTransactionRequest(1800, utc("2030-01-01T11:00:00Z"), txId);
        stop.setIdTag("TAG-1");
        stop.setReason(Reason.Local);
        StopTransactionConfirmation stopped = cp.send(stop);
        assertThat(stopped.getIdTagInfo().getStatus()).isEqualTo(AuthorizationStatus.Accepted);

        ChargerInfo after = harness.centralSystem.charger("CT-SESSION").orElseThrow();
        assertThat(after.openTransactions()).isEmpty();
        assertThat(after.connected()).isTrue();
        assertThat(after.remoteAddress()).startsWith("127.0.0.1:");
        assertThat(after.connectedSince()).isNotNull();
        assertThat(after.disconnectedSince()).isNull();
        assertThat(after.bootedAt()).isNotNull();
        assertThat(after.lastSeen()).isAfterOrEqualTo(after.bootedAt());
        assertThat(after.boot().chargePointVendor()).isEqualTo("VendorX");
        assertThat(after.boot().chargePointModel()).isEqualTo("ModelY");
        assertThat(after.boot().chargePointSerialNumber()).isEqualTo("SN-0001");
        assertThat(after.boot().firmwareVersion()).isEqualTo("fw-1.2.3");
        assertThat(after.boot().meterType()).isEqualTo("DZG");
        assertThat(harness.centralSystem.chargers()).extracting(ChargerInfo::chargePointId)
                .containsExactly("CT-SESSION");

        cp.close();
        Await.until("CT-SESSION shown disconnected",
                () -> !harness.centralSystem.charger("CT-SESSION").orElseThrow().connected());
        ChargerInfo gone = harness.centralSystem.charger("CT-SESSION").orElseThrow();
        assertThat(gone.disconnectedSince()).isNotNull();
        assertThat(gone.boot()).isEqualTo(after.boot());

        Await.until("DISCONNECTED event", () -> eventAdmin.topics().contains(ChargerEvents.DISCONNECTED));
        assertThat(eventAdmin.topics()).containsExactly(ChargerEvents.CONNECTED, ChargerEvents.BOOTED,
                ChargerEvents.STATUS_CHANGED, ChargerEvents.TRANSACTION_STARTED, ChargerEvents.METER_VALUES,
                ChargerEvents.TRANSACTION_STOPPED, ChargerEvents.DISCONNECTED);
        Event startedEvent = eventAdmin.events.get(3);
        assertThat(startedEvent.getProperty(ChargerEvents.CHARGE_POINT_ID)).isEqualTo("CT-SESSION");
        assertThat(startedEvent.getProperty(ChargerEvents.TRANSACTION_ID)).isEqualTo(txId);
        assertThat(startedEvent.getProperty(ChargerEvents.CONNECTOR_ID)).isEqualTo(1);
        assertThat(((ChargerInfo) startedEvent.getProperty(ChargerEvents.CHARGER)).transaction(txId)).isPresent();
    }

    @Test
    void transactionIdsAreUniqueAcrossChargersAndRestarts() throws Exception {
        harness = new CentralSystemHarness(dataDir);
        ChargeTimeCharger a = charger("CT-A");
        ChargeTimeCharger b = charger("CT-B");
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        int first = a.<StartTransactionConfirmation>send(a.core.createStartTransactionRequest(1, "T", 0, now))
                .getTransactionId();
        int second = b.<StartTransactionConfirmation>send(b.core.createStartTransactionRequest(1, "T", 0, now))
                .getTransactionId();
        assertThat(second).isGreaterThan(first);
        a.close();
        b.close();
        toClose.clear();
        harness.close();

        harness = new CentralSystemHarness(dataDir);
        ChargeTimeCharger c = charger("CT-A");
        int third = c.<StartTransactionConfirmation>send(c.core.createStartTransactionRequest(1, "T", 0, now))
                .getTransactionId();
        assertThat(third).isGreaterThan(second);
    }

    @Test
    void commandToAChargerThatIsNotConnectedFailsAtOnce() throws Exception {
        harness = new CentralSystemHarness(dataDir);
        CompletionStage<?> stage = harness.centralSystem.call("NOBODY", new ResetRequest(ResetType.Hard));
        assertThat(stage.toCompletableFuture().isCompletedExceptionally()).as("failed at once").isTrue();
        ChargerCallException e = failure(stage, Duration.ZERO.plusMillis(1));
        assertThat(e.reason()).isEqualTo(ChargerCallException.Reason.NOT_CONNECTED);
        assertThat(e.chargePointId()).isEqualTo("NOBODY");
        assertThat(e.errorCode()).isEmpty();
    }

    @Test
    void commandToAChargerThatDisconnectedFailsAtOnce() throws Exception {
        harness = new CentralSystemHarness(dataDir);
        ChargeTimeCharger cp = charger("CT-GONE");
        cp.send(cp.core.createHeartbeatRequest());
        cp.close();
        Await.until("CT-GONE disconnected",
                () -> !harness.centralSystem.charger("CT-GONE").orElseThrow().connected());
        CompletionStage<?> stage = harness.centralSystem.call("CT-GONE", new ResetRequest(ResetType.Hard));
        assertThat(stage.toCompletableFuture().isCompletedExceptionally()).isTrue();
        assertThat(failure(stage).reason()).isEqualTo(ChargerCallException.Reason.NOT_CONNECTED);
    }

    @Test
    void aChargePointActionCannotBeSentToACharger() throws Exception {
        harness = new CentralSystemHarness(dataDir);
        assertThatThrownBy(() -> harness.centralSystem.call("ANY", new HeartbeatRequest()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void acceptListedPolicyAcceptsOnlyListedIdTags() throws Exception {
        harness = new CentralSystemHarness(dataDir, Map.of("authorizationPolicy", AuthorizationPolicy.AcceptListed,
                "acceptedIdTags", " GOOD-1 , GOOD-2 "));
        ChargeTimeCharger cp = charger("CT-LISTED");
        assertThat(cp.<AuthorizeConfirmation>send(cp.core.createAuthorizeRequest("GOOD-2")).getIdTagInfo().getStatus())
                .isEqualTo(AuthorizationStatus.Accepted);
        assertThat(cp.<AuthorizeConfirmation>send(cp.core.createAuthorizeRequest("STRANGER")).getIdTagInfo()
                .getStatus()).isEqualTo(AuthorizationStatus.Invalid);
        StartTransactionConfirmation start = cp.send(cp.core.createStartTransactionRequest(1, "STRANGER", 0,
                ZonedDateTime.now(ZoneOffset.UTC)));
        assertThat(start.getIdTagInfo().getStatus()).isEqualTo(AuthorizationStatus.Invalid);
        StopTransactionRequest stop = cp.core.createStopTransactionRequest(10, ZonedDateTime.now(ZoneOffset.UTC),
                start.getTransactionId());
        stop.setIdTag("STRANGER");
        assertThat(cp.<StopTransactionConfirmation>send(stop).getIdTagInfo().getStatus())
                .isEqualTo(AuthorizationStatus.Invalid);
    }

    @Test
    void rejectAllPolicyRejectsEveryIdTag() throws Exception {
        harness = new CentralSystemHarness(dataDir, Map.of("authorizationPolicy", AuthorizationPolicy.RejectAll,
                "acceptedIdTags", "GOOD-1"));
        ChargeTimeCharger cp = charger("CT-REJECT");
        assertThat(cp.<AuthorizeConfirmation>send(cp.core.createAuthorizeRequest("GOOD-1")).getIdTagInfo().getStatus())
                .isEqualTo(AuthorizationStatus.Invalid);
        assertThat(cp.<AuthorizeConfirmation>send(cp.core.createAuthorizeRequest("STRANGER")).getIdTagInfo()
                .getStatus()).isEqualTo(AuthorizationStatus.Invalid);
    }

    @Test
    void dataTransferFromTheChargerIsUnknownVendorIdUnlessAHandlerClaimsIt() throws Exception {
        harness = new CentralSystemHarness(dataDir);
        ChargerCallHandler vendorHandler = (context, request, chain) -> {
            DataTransferRequest dt = (DataTransferRequest) request;
            if (!"com.example.vendor".equals(dt.vendorId())) {
                return chain.proceed(request);
            }
            return CompletableFuture.completedFuture(new DataTransferConfirmation(
                    org.chargeedge.ocpp.v16.DataTransferStatus.Accepted,
                    context.chargePointId() + " sent " + dt.messageId() + "/" + dt.data()));
        };
        harness.addHandler(vendorHandler, 0, "DataTransfer");
        ChargeTimeCharger cp = charger("CT-DT");

        eu.chargetime.ocpp.model.core.DataTransferRequest unknown = cp.core.createDataTransferRequest("other.vendor");
        unknown.setData("x");
        eu.chargetime.ocpp.model.core.DataTransferConfirmation unknownAnswer = cp.send(unknown);
        assertThat(unknownAnswer.getStatus()).isEqualTo(DataTransferStatus.UnknownVendorId);

        eu.chargetime.ocpp.model.core.DataTransferRequest claimed = cp.core.createDataTransferRequest("com.example.vendor");
        claimed.setMessageId("ping");
        claimed.setData("42");
        eu.chargetime.ocpp.model.core.DataTransferConfirmation claimedAnswer = cp.send(claimed);
        assertThat(claimedAnswer.getStatus()).isEqualTo(DataTransferStatus.Accepted);
        assertThat(claimedAnswer.getData()).isEqualTo("CT-DT sent ping/42");
    }
}
