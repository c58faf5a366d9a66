package org.chargeedge.centralsystem.internal;

import java.time.Clock;
import java.util.Arrays;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.function.BiFunction;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

import org.chargeedge.api.charger.CallContext;
import org.chargeedge.ocpp.v16.AuthorizationStatus;
import org.chargeedge.ocpp.v16.AuthorizeConfirmation;
import org.chargeedge.ocpp.v16.AuthorizeRequest;
import org.chargeedge.ocpp.v16.BootNotificationConfirmation;
import org.chargeedge.ocpp.v16.Confirmation;
import org.chargeedge.ocpp.v16.DataTransferConfirmation;
import org.chargeedge.ocpp.v16.DataTransferStatus;
import org.chargeedge.ocpp.v16.DiagnosticsStatusNotificationConfirmation;
import org.chargeedge.ocpp.v16.FirmwareStatusNotificationConfirmation;
import org.chargeedge.ocpp.v16.HeartbeatConfirmation;
import org.chargeedge.ocpp.v16.IdTagInfo;
import org.chargeedge.ocpp.v16.MeterValuesConfirmation;
import org.chargeedge.ocpp.v16.RegistrationStatus;
import org.chargeedge.ocpp.v16.Request;
import org.chargeedge.ocpp.v16.StartTransactionConfirmation;
import org.chargeedge.ocpp.v16.StartTransactionRequest;
import org.chargeedge.ocpp.v16.StatusNotificationConfirmation;
import org.chargeedge.ocpp.v16.StopTransactionConfirmation;
import org.chargeedge.ocpp.v16.StopTransactionRequest;

/**
 * The gateway's own answers to what chargers send, so a site works with the
 * central system bundle alone. It ends every handler chain. Answers at once,
 * never blocks (the transaction id reservation syncs a small file once per
 * block of ids).
 */
final class BuiltInCentralSystem implements CallDispatcher.Terminal {

    private final Clock clock;
    private final int heartbeatInterval;
    private final AuthorizationPolicy policy;
    private final Set<String> acceptedIdTags;
    private final TransactionIdIssuer transactionIds;
    private final BiFunction<String, StartTransactionRequest, OptionalInt> openTransactionStartedBy;

    /**
     * @param openTransactionStartedBy the id of the charger's open transaction that this very
     *        StartTransaction started already (a charger sends it again when the answer was lost, e.g.
     *        across a reboot): it gets the same id instead of a second transaction
     */
    BuiltInCentralSystem(Clock clock, int heartbeatInterval, AuthorizationPolicy policy, String acceptedIdTagsCsv,
                         TransactionIdIssuer transactionIds,
                         BiFunction<String, StartTransactionRequest, OptionalInt> openTransactionStartedBy) {
        this.clock = clock;
        this.heartbeatInterval = heartbeatInterval;
        this.policy = policy;
        this.acceptedIdTags = Arrays.stream(acceptedIdTagsCsv.split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).map(BuiltInCentralSystem::caseless)
                .collect(Collectors.toUnmodifiableSet());
        this.transactionIds = transactionIds;
        this.openTransactionStartedBy = openTransactionStartedBy;
    }

    @Override
    public CompletionStage<Confirmation> handle(CallContext context, Request<?> request) {
        return CompletableFuture.completedFuture(answer(context.chargePointId(), request));
    }

    Confirmation answer(Request<?> request) {
        return answer(null, request);
    }

    Confirmation answer(String chargePointId, Request<?> request) {
        return switch (request.action()) {
            case BootNotification -> new BootNotificationConfirmation(clock.instant(), heartbeatInterval,
                    RegistrationStatus.Accepted);
            case Heartbeat -> new HeartbeatConfirmation(clock.instant());
            case StatusNotification -> new StatusNotificationConfirmation();
            case Authorize -> new AuthorizeConfirmation(authorize(((AuthorizeRequest) request).idTag()));
            case StartTransaction -> {
                StartTransactionRequest start = (StartTransactionRequest) request;
                OptionalInt resent = chargePointId == null ? OptionalInt.empty()
                        : openTransactionStartedBy.apply(chargePointId, start);
                yield new StartTransactionConfirmation(authorize(start.idTag()),
                        resent.isPresent() ? resent.getAsInt() : transactionIds.next());
            }
            case MeterValues -> new MeterValuesConfirmation();
            case StopTransaction -> {
                String idTag = ((StopTransactionRequest) request).idTag();
                yield new StopTransactionConfirmation(idTag == null ? null : authorize(idTag));
            }
            case DataTransfer -> new DataTransferConfirmation(DataTransferStatus.UnknownVendorId, null);
            case DiagnosticsStatusNotification -> new DiagnosticsStatusNotificationConfirmation();
            case FirmwareStatusNotification -> new FirmwareStatusNotificationConfirmation();
            default -> throw new IllegalArgumentException(request.action() + " is not sent by charge points");
        };
    }

    /** idTags are CiString20: compared without regard to case. */
    private static String caseless(String idTag) {
        return idTag.toLowerCase(Locale.ROOT);
    }

    private IdTagInfo authorize(String idTag) {
        boolean accepted = switch (policy) {
            case AcceptAll -> true;
            case AcceptListed -> acceptedIdTags.contains(caseless(idTag));
            case RejectAll -> false;
        };
        return IdTagInfo.of(accepted ? AuthorizationStatus.Accepted : AuthorizationStatus.Invalid);
    }
}
