package org.chargeedge.api.charger;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.chargeedge.api.upstream.UpstreamStatus;
import org.chargeedge.ocpp.v16.BootNotificationRequest;

/**
 * One charger as the gateway knows it.
 *
 * @param chargePointId identity from the connection URL
 * @param connected whether a WebSocket connection is open now
 * @param connectedSince start of the current (or last) connection; null if never connected
 * @param disconnectedSince end of the last connection; null while connected
 * @param remoteAddress address of the current (or last) connection
 * @param boot the last BootNotification; null if the charger connected but never booted
 * @param bootedAt when that BootNotification was received
 * @param lastSeen when the charger last sent a frame or answered a ping
 * @param connectors connector states by ascending id (0 = the charge point as a whole)
 * @param openTransactions transactions started and not yet stopped
 * @param upstream the charger's link to the upstream CSMS as {@link UpstreamStatus} reports it;
 *                 null when the gateway has no upstream link for the charger (since 1.1)
 * @param diagnostics configuration keys the charger refused and problems of its local list, for the
 *                    installer; never null (since 1.6)
 */
public record ChargerInfo(
        String chargePointId,
        boolean connected,
        Instant connectedSince,
        Instant disconnectedSince,
        String remoteAddress,
        BootNotificationRequest boot,
        Instant bootedAt,
        Instant lastSeen,
        List<ConnectorInfo> connectors,
        List<TransactionInfo> openTransactions,
        UpstreamStatus.Link upstream,
        ChargerDiagnostics diagnostics) {

    public ChargerInfo {
        connectors = List.copyOf(connectors);
        openTransactions = List.copyOf(openTransactions);
        diagnostics = diagnostics == null ? ChargerDiagnostics.NONE : diagnostics;
    }

    /** A charger with nothing for the installer (the record of version 1.1). */
    public ChargerInfo(String chargePointId, boolean connected, Instant connectedSince, Instant disconnectedSince,
                       String remoteAddress, BootNotificationRequest boot, Instant bootedAt, Instant lastSeen,
                       List<ConnectorInfo> connectors, List<TransactionInfo> openTransactions,
                       UpstreamStatus.Link upstream) {
        this(chargePointId, connected, connectedSince, disconnectedSince, remoteAddress, boot, bootedAt, lastSeen,
                connectors, openTransactions, upstream, ChargerDiagnostics.NONE);
    }

    /** A charger without an upstream link (the record of version 1.0). */
    public ChargerInfo(String chargePointId, boolean connected, Instant connectedSince, Instant disconnectedSince,
                       String remoteAddress, BootNotificationRequest boot, Instant bootedAt, Instant lastSeen,
                       List<ConnectorInfo> connectors, List<TransactionInfo> openTransactions) {
        this(chargePointId, connected, connectedSince, disconnectedSince, remoteAddress, boot, bootedAt, lastSeen,
                connectors, openTransactions, null);
    }

    /** The same charger with its upstream link's state. */
    public ChargerInfo withUpstream(UpstreamStatus.Link link) {
        return new ChargerInfo(chargePointId, connected, connectedSince, disconnectedSince, remoteAddress, boot,
                bootedAt, lastSeen, connectors, openTransactions, link, diagnostics);
    }

    /** The same charger with these diagnostics (since 1.6). */
    public ChargerInfo withDiagnostics(ChargerDiagnostics diagnostics) {
        return new ChargerInfo(chargePointId, connected, connectedSince, disconnectedSince, remoteAddress, boot,
                bootedAt, lastSeen, connectors, openTransactions, upstream, diagnostics);
    }

    public Optional<ConnectorInfo> connector(int connectorId) {
        return connectors.stream().filter(c -> c.connectorId() == connectorId).findFirst();
    }

    public Optional<TransactionInfo> transaction(int transactionId) {
        return openTransactions.stream().filter(t -> t.transactionId() == transactionId).findFirst();
    }
}
