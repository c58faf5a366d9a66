package org.chargeedge.http.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.chargeedge.api.charger.ChargerEvents;
import org.chargeedge.api.charger.ChargerInfo;
import org.chargeedge.api.charger.ConnectorInfo;
import org.chargeedge.api.charger.TransactionInfo;
import org.chargeedge.api.management.JobEvents;
import org.chargeedge.ocpp.v16.BootNotificationRequest;
import org.chargeedge.ocpp.v16.ChargePointErrorCode;
import org.osgi.service.event.Event;

/**
 * What happened on the site over the last hours, in words an installer understands: chargers
 * connecting, booting, changing status or reporting faults, sessions starting and ending, and
 * remote management's jobs. Bounded by count and by age, oldest dropped first. Meter values and
 * energy measurements are not logged: they come every few seconds and say nothing new in words.
 *
 * <p>Threads: EventAdmin's delivery threads append (Felix delivers asynchronous events of different
 * posters on different threads) and HTTP threads read, so the ring is guarded by this object's
 * monitor; a read copies what it returns while holding it. The limits are replaced by the component's
 * thread on a configuration change, under the same monitor.
 */
final class EventLog {

    /** How bad an event is, for the reader: something to know, to watch, or to act on. */
    enum Severity {
        info, warning, problem
    }

    /**
     * One event in words.
     *
     * @param sequence its number in the log, increasing (a client asks for what came after it)
     * @param at when the gateway learnt of it
     * @param chargePointId the charger it is about; null for the gateway's own events
     * @param kind the event's name (the last part of its topic: {@code BOOTED}, {@code COMMITTED}, ...)
     */
    record Entry(long sequence, Instant at, String chargePointId, String kind, Severity severity, String text) {
    }

    private final Clock clock;
    // Guarded by this: the entries, oldest first, and the limits.
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private int maxEntries;
    private Duration maxAge;
    private long sequence;

    EventLog(int maxEntries, Duration maxAge, Clock clock) {
        this.clock = clock;
        limit(maxEntries, maxAge);
    }

    synchronized void limit(int maxEntries, Duration maxAge) {
        if (maxEntries < 1 || maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("the event log needs room for an event and a positive age, not "
                    + maxEntries + " events of " + maxAge);
        }
        this.maxEntries = maxEntries;
        this.maxAge = maxAge;
        prune(clock.instant());
    }

    /** Logs the event when it says something in words; returns whether it did. */
    boolean add(Event event) {
        Instant now = clock.instant();
        String topic = event.getTopic();
        String kind = topic.substring(topic.lastIndexOf('/') + 1);
        String charger = null;
        Described said;
        if (topic.startsWith(ChargerEvents.TOPIC_PREFIX)) {
            charger = (String) event.getProperty(ChargerEvents.CHARGE_POINT_ID);
            said = charger == null ? null : charger(kind, event);
        } else if (topic.startsWith(JobEvents.TOPIC_PREFIX)) {
            said = job(kind, event);
        } else {
            said = null;
        }
        if (said == null) {
            return false;
        }
        synchronized (this) {
            entries.addLast(new Entry(++sequence, now, charger, kind, said.severity(), said.text()));
            prune(now);
        }
        return true;
    }

    /**
     * The entries at or after {@code since} (null: all), of one charger when {@code chargePointId} is
     * not null, newest first, at most {@code limit}.
     */
    List<Entry> entries(Instant since, String chargePointId, int limit) {
        List<Entry> out = new ArrayList<>();
        synchronized (this) {
            prune(clock.instant());
            for (Iterator<Entry> it = entries.descendingIterator(); it.hasNext() && out.size() < limit; ) {
                Entry e = it.next();
                if (since != null && e.at().isBefore(since)) {
                    break;
                }
                if (chargePointId == null || chargePointId.equals(e.chargePointId())) {
                    out.add(e);
                }
            }
        }
        return out;
    }

    synchronized int size() {
        return entries.size();
    }

    // Holding the monitor.
    private void prune(Instant now) {
        Instant oldest = now.minus(maxAge);
        while (!entries.isEmpty() && (entries.size() > maxEntries || entries.peekFirst().at().isBefore(oldest))) {
            entries.removeFirst();
        }
    }

    private record Described(Severity severity, String text) {
    }

    private static Described info(String text) {
        return new Described(Severity.info, text);
    }

    /** A charger event in words; null for meter values and what cannot be said. */
    private static Described charger(String kind, Event event) {
        ChargerInfo info = event.getProperty(ChargerEvents.CHARGER) instanceof ChargerInfo c ? c : null;
        Integer connector = event.getProperty(ChargerEvents.CONNECTOR_ID) instanceof Number n ? n.intValue() : null;
        Integer transaction = event.getProperty(ChargerEvents.TRANSACTION_ID) instanceof Number n ? n.intValue()
                : null;
        switch (kind) {
            case "CONNECTED":
                return info("Connected" + (info != null && info.remoteAddress() != null ? " from "
                        + info.remoteAddress() : ""));
            case "DISCONNECTED":
                return new Described(Severity.warning, "Disconnected: the charger closed its connection or stopped"
                        + " answering");
            case "BOOTED":
                return info("Booted" + (info != null && info.boot() != null ? ": " + boot(info.boot()) : ""));
            case "STATUS_CHANGED":
                return status(info, connector);
            case "TRANSACTION_STARTED": {
                TransactionInfo t = info == null || transaction == null ? null : info.openTransactions().stream()
                        .filter(x -> x.transactionId() == transaction).findFirst().orElse(null);
                return info("Session " + (transaction == null ? "" : transaction + " ") + "started"
                        + (t != null ? " on connector " + t.connectorId() + " by idTag " + t.idTag()
                        : connector != null ? " on connector " + connector : ""));
            }
            case "TRANSACTION_STOPPED":
                return info("Session " + (transaction == null ? "" : transaction + " ") + "ended"
                        + (connector != null ? " on connector " + connector : ""));
            default:
                return null; // METER_VALUES: every few seconds, shown by the chart instead
        }
    }

    private static String boot(BootNotificationRequest b) {
        return b.chargePointVendor() + " " + b.chargePointModel()
                + (b.firmwareVersion() != null ? ", firmware " + b.firmwareVersion() : "");
    }

    private static Described status(ChargerInfo info, Integer connector) {
        ConnectorInfo k = info == null || connector == null ? null : info.connectors().stream()
                .filter(x -> x.connectorId() == connector).findFirst().orElse(null);
        if (k == null || k.status() == null) {
            return null;
        }
        String where = connector == 0 ? "The charger" : "Connector " + connector;
        boolean fault = k.errorCode() != null && k.errorCode() != ChargePointErrorCode.NoError;
        String detail = (k.info() != null ? " (" + k.info() + ")" : "")
                + (k.vendorErrorCode() != null ? ", vendor code " + k.vendorErrorCode() : "");
        if (fault) {
            return new Described(Severity.problem, where + " reports a fault: " + k.errorCode().value() + detail
                    + "; status " + k.status().value());
        }
        return new Described(switch (k.status()) {
            case Faulted, Unavailable -> Severity.warning;
            default -> Severity.info;
        }, where + " is " + k.status().value() + detail);
    }

    /** A remote management job's state change in words. */
    private static Described job(String kind, Event event) {
        String id = String.valueOf(event.getProperty(JobEvents.JOB_ID));
        Object origin = event.getProperty(JobEvents.ORIGIN);
        Object outcome = event.getProperty(JobEvents.OUTCOME);
        String job = "Update job " + id + (origin != null ? " (" + origin + ")" : "");
        String why = outcome != null && !String.valueOf(outcome).isBlank() ? ": " + outcome : "";
        switch (kind) {
            case "STAGING":
                return info(job + ": downloading and checking the bundles; nothing changed yet");
            case "APPLYING":
                return info(job + ": installing the new bundles");
            case "AWAITING_HEALTH":
                return info(job + ": installed, waiting until the site is healthy again");
            case "ROLLING_BACK":
                return new Described(Severity.warning, job + ": failed after installing, putting the previous"
                        + " bundles back" + why);
            case "COMMITTED":
                return info(job + ": done, the site is healthy with the new bundles");
            case "FAILED":
                return new Described(Severity.warning, job + ": failed before anything changed" + why);
            case "ROLLED_BACK":
                return new Described(Severity.warning, job + ": failed, the previous bundles run again" + why);
            case "ROLLBACK_FAILED":
                return new Described(Severity.problem, job + ": failed, and the previous bundles could not be"
                        + " restored; an operator must look at it" + why);
            default:
                return info(job + ": " + kind + why);
        }
    }
}
