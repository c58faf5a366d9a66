package org.chargeedge.centralsystem.internal;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import org.chargeedge.api.charger.ChargerDiagnostics;
import org.chargeedge.api.charger.ChargerDiagnostics.ConfigurationKeyProblem;
import org.chargeedge.api.charger.ChargerDiagnostics.KeyOutcome;
import org.chargeedge.api.charger.ChargerDiagnostics.LocalListOutcome;
import org.chargeedge.api.charger.ChargerDiagnostics.LocalListProblem;
import org.chargeedge.ocpp.v16.ChangeConfigurationConfirmation;
import org.chargeedge.ocpp.v16.ChangeConfigurationRequest;
import org.chargeedge.ocpp.v16.Confirmation;
import org.chargeedge.ocpp.v16.GetConfigurationConfirmation;
import org.chargeedge.ocpp.v16.GetLocalListVersionConfirmation;
import org.chargeedge.ocpp.v16.KeyValue;
import org.chargeedge.ocpp.v16.Request;
import org.chargeedge.ocpp.v16.SendLocalListConfirmation;
import org.chargeedge.ocpp.v16.SendLocalListRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What each charger refused or reported wrong in its answers to the gateway's
 * calls, kept for the installer: configuration keys it rejected, does not
 * support, needs a reboot for or does not know, and a local authorization
 * list it could not store or that is out of step with the version it last
 * accepted (a value waiting for a reboot is forgotten when the charger boots
 * again). Bounded: {@link ChargerDiagnostics#MAX_KEYS} keys per charger,
 * one local list state, and only chargers the site view holds (see
 * {@link #forget}). Kept in memory: a restart starts clean.
 *
 * <p>Threads: answers complete on the chargers' session threads, readers
 * (the site view) are any thread. Per charger an immutable {@link State}
 * replaced with {@code compute} on a ConcurrentHashMap: the writers of one
 * charger are serialised, different chargers proceed in parallel, readers
 * see whole states.
 */
final class InstallerDiagnostics {

    private static final Logger LOG = LoggerFactory.getLogger(InstallerDiagnostics.class);

    /**
     * @param acceptedVersion the local list version the charger last accepted through the gateway; null if none
     */
    private record State(ChargerDiagnostics diagnostics, Integer acceptedVersion) {
        static final State EMPTY = new State(ChargerDiagnostics.NONE, null);
    }

    private final ConcurrentHashMap<String, State> chargers = new ConcurrentHashMap<>();
    private final Clock clock;

    InstallerDiagnostics(Clock clock) {
        this.clock = clock;
    }

    ChargerDiagnostics of(String chargePointId) {
        State s = chargers.get(chargePointId);
        return s == null ? ChargerDiagnostics.NONE : s.diagnostics();
    }

    void forget(String chargePointId) {
        chargers.remove(chargePointId);
    }

    /** Called with every confirmation a charger gave to the gateway's call; never throws. */
    void answered(String chargePointId, Request<?> request, Confirmation confirmation) {
        try {
            switch (request.action()) {
                case ChangeConfiguration -> changed(chargePointId, (ChangeConfigurationRequest) request,
                        (ChangeConfigurationConfirmation) confirmation);
                case GetConfiguration -> read(chargePointId, (GetConfigurationConfirmation) confirmation);
                case SendLocalList -> listSent(chargePointId, (SendLocalListRequest) request,
                        (SendLocalListConfirmation) confirmation);
                case GetLocalListVersion -> listVersion(chargePointId,
                        ((GetLocalListVersionConfirmation) confirmation).listVersion());
                default -> {
                    // other answers tell the installer nothing kept here
                }
            }
        } catch (RuntimeException e) {
            // diagnostics must never fail the caller's command
            LOG.warn("{}: cannot record the answer to {}: {}", chargePointId, request.action(), e.toString());
        }
    }

    /** The charger booted: values that waited for a reboot apply now. */
    void booted(String chargePointId) {
        chargers.computeIfPresent(chargePointId, (k, s) -> with(s, s.diagnostics().configuration().stream()
                .filter(p -> p.outcome() != KeyOutcome.REBOOT_REQUIRED).collect(java.util.stream.Collectors
                        .toCollection(ArrayList::new))));
    }

    private void changed(String id, ChangeConfigurationRequest request, ChangeConfigurationConfirmation answer) {
        KeyOutcome outcome = switch (answer.status()) {
            case Accepted -> null;
            case Rejected -> KeyOutcome.REJECTED;
            case NotSupported -> KeyOutcome.NOT_SUPPORTED;
            case RebootRequired -> KeyOutcome.REBOOT_REQUIRED;
        };
        ConfigurationKeyProblem problem = outcome == null ? null
                : new ConfigurationKeyProblem(request.key(), request.value(), outcome, clock.instant());
        update(id, s -> {
            List<ConfigurationKeyProblem> keys = without(s.diagnostics().configuration(), List.of(request.key()));
            if (problem != null) {
                keys.add(0, problem);
            }
            return with(s, keys);
        });
    }

    private void read(String id, GetConfigurationConfirmation answer) {
        List<String> known = answer.configurationKey() == null ? List.of()
                : answer.configurationKey().stream().map(KeyValue::key).toList();
        List<String> unknown = answer.unknownKey() == null ? List.of() : answer.unknownKey();
        if (unknown.isEmpty() && chargers.get(id) == null) {
            return; // the common case: nothing to record, nothing to clear
        }
        update(id, s -> {
            List<ConfigurationKeyProblem> keys = new ArrayList<>();
            for (String key : unknown) {
                keys.add(new ConfigurationKeyProblem(key, null, KeyOutcome.UNKNOWN_KEY, clock.instant()));
            }
            // a key reported unknown again replaces what was said of it; a key the charger now reports is no
            // longer unknown (a refused value stays named: the key exists, the value still does not fit)
            for (ConfigurationKeyProblem p : without(s.diagnostics().configuration(), unknown)) {
                if (p.outcome() != KeyOutcome.UNKNOWN_KEY || known.stream().noneMatch(k -> k.equalsIgnoreCase(p.key()))) {
                    keys.add(p);
                }
            }
            return with(s, keys);
        });
    }

    private void listSent(String id, SendLocalListRequest request, SendLocalListConfirmation answer) {
        LocalListOutcome outcome = switch (answer.status()) {
            case Accepted -> null;
            case Failed -> LocalListOutcome.FAILED;
            case VersionMismatch -> LocalListOutcome.VERSION_MISMATCH;
            case NotSupported -> LocalListOutcome.NOT_SUPPORTED;
        };
        update(id, s -> outcome == null
                ? new State(new ChargerDiagnostics(s.diagnostics().configuration(), null), request.listVersion())
                : new State(new ChargerDiagnostics(s.diagnostics().configuration(), new LocalListProblem(outcome,
                        request.listVersion(), s.acceptedVersion(), null, clock.instant())), s.acceptedVersion()));
    }

    private void listVersion(String id, int reported) {
        State now = chargers.get(id);
        if (now == null || now.acceptedVersion() == null) {
            return; // nothing pushed through the gateway since it started: no version to compare with
        }
        update(id, s -> {
            LocalListProblem current = s.diagnostics().localList();
            if (reported == s.acceptedVersion()) {
                // in step; a refused push stays named until a push is accepted
                return current != null && current.outcome() == LocalListOutcome.OUT_OF_STEP
                        ? new State(new ChargerDiagnostics(s.diagnostics().configuration(), null), s.acceptedVersion())
                        : s;
            }
            return new State(new ChargerDiagnostics(s.diagnostics().configuration(), new LocalListProblem(
                    LocalListOutcome.OUT_OF_STEP, null, s.acceptedVersion(), reported, clock.instant())),
                    s.acceptedVersion());
        });
    }

    private void update(String id, java.util.function.UnaryOperator<State> change) {
        chargers.compute(id, (k, s) -> change.apply(s == null ? State.EMPTY : s));
    }

    /** The problems of other keys than {@code keys} (compared as OCPP does: case-insensitive), in order. */
    private static List<ConfigurationKeyProblem> without(List<ConfigurationKeyProblem> problems, List<String> keys) {
        List<ConfigurationKeyProblem> out = new ArrayList<>();
        for (ConfigurationKeyProblem p : problems) {
            if (keys.stream().noneMatch(k -> k.equalsIgnoreCase(p.key()))) {
                out.add(p);
            }
        }
        return out;
    }

    private static State with(State s, List<ConfigurationKeyProblem> keys) {
        List<ConfigurationKeyProblem> bounded = keys.size() > ChargerDiagnostics.MAX_KEYS
                ? keys.subList(0, ChargerDiagnostics.MAX_KEYS) : keys;
        return new State(new ChargerDiagnostics(bounded, s.diagnostics().localList()), s.acceptedVersion());
    }
}
