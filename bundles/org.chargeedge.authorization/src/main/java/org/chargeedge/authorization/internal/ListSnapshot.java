package org.chargeedge.authorization.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.chargeedge.ocpp.v16.AuthorizationData;
import org.chargeedge.ocpp.v16.AuthorizationStatus;
import org.chargeedge.ocpp.v16.IdTagInfo;
import org.chargeedge.ocpp.v16.SendLocalListRequest;
import org.chargeedge.ocpp.v16.UpdateStatus;
import org.chargeedge.ocpp.v16.UpdateType;

/**
 * One version of the Local Authorization List. Immutable: an update yields a
 * new snapshot, so readers never see a half-applied update.
 *
 * <p>SendLocalList rules applied by {@link #apply} (OCPP 1.6 sections 5.15, 6.37
 * and 7.2 for the wording); the first that fails decides the answer and the
 * list is unchanged:
 * <ol>
 * <li>listVersion must be at least 1: 0 means "no list" and -1 "not supported"
 *     in GetLocalListVersion, so a list with either could not be told apart
 *     (Failed).</li>
 * <li>Differential: listVersion must be higher than the current version
 *     (VersionMismatch, "less or equal than version number of current list").
 *     Full replaces the list whatever its version: the sender is the
 *     authority.</li>
 * <li>Every entry must have an idTag of 1 to 20 characters, and no idTag may
 *     appear twice in one request (idTags compare without case, CiString20)
 *     (Failed).</li>
 * <li>Full: every entry needs an idTagInfo (Failed). Differential: an entry
 *     with an idTagInfo adds or replaces that idTag, one without removes it
 *     (removing an idTag the list lacks is no error).</li>
 * <li>An idTagInfo may not carry ConcurrentTx: it describes a transaction, not
 *     a card (Failed).</li>
 * <li>The resulting list may not hold more than the maximum length (Failed).</li>
 * </ol>
 */
public final class ListSnapshot {

    static final ListSnapshot EMPTY = new ListSnapshot(0, Map.of());
    static final int ID_TAG_MAX = 20;

    /** The outcome of an update: its status, the list after it and, when refused, why. */
    record Result(UpdateStatus status, ListSnapshot list, String reason) {
    }

    private final int version;
    /** Keyed by {@link #key}; insertion order kept so listings and pushes are stable. */
    private final Map<String, AuthorizationData> entries;

    private ListSnapshot(int version, Map<String, AuthorizationData> entries) {
        this.version = version;
        this.entries = entries;
    }

    /** The list as stored, checked like a Full update of its version (version 0 must be empty). */
    static ListSnapshot of(int version, List<AuthorizationData> entries) {
        if (version == 0 && entries.isEmpty()) {
            return EMPTY;
        }
        Result result = EMPTY.apply(new SendLocalListRequest(version, entries, UpdateType.Full), Integer.MAX_VALUE);
        if (result.status() != UpdateStatus.Accepted) {
            throw new IllegalArgumentException(result.reason());
        }
        return result.list();
    }

    int version() {
        return version;
    }

    List<AuthorizationData> entries() {
        return List.copyOf(entries.values());
    }

    int size() {
        return entries.size();
    }

    Optional<AuthorizationData> entry(String idTag) {
        return Optional.ofNullable(entries.get(key(idTag)));
    }

    /** idTags are CiString20: compared without regard to case. */
    static String key(String idTag) {
        return idTag.toLowerCase(Locale.ROOT);
    }

    Result apply(SendLocalListRequest request, int maxLength) {
        if (request.updateType() == null) {
            return failed("updateType missing");
        }
        if (request.listVersion() < 1) {
            return failed("listVersion " + request.listVersion() + " is not a list version (must be at least 1)");
        }
        if (request.updateType() == UpdateType.Differential && request.listVersion() <= version) {
            return new Result(UpdateStatus.VersionMismatch, this, "differential update to version "
                    + request.listVersion() + " is not newer than the current version " + version);
        }
        List<AuthorizationData> changes = request.localAuthorizationList() == null
                ? List.of() : request.localAuthorizationList();
        Map<String, AuthorizationData> seen = new LinkedHashMap<>();
        for (AuthorizationData data : changes) {
            String problem = problem(data, request.updateType());
            if (problem != null) {
                return failed(problem);
            }
            if (seen.put(key(data.idTag()), data) != null) {
                return failed("idTag " + data.idTag() + " appears more than once");
            }
        }
        Map<String, AuthorizationData> next = request.updateType() == UpdateType.Full
                ? new LinkedHashMap<>() : new LinkedHashMap<>(entries);
        seen.forEach((key, data) -> {
            if (data.idTagInfo() == null) {
                next.remove(key);
            } else {
                next.put(key, data);
            }
        });
        if (next.size() > maxLength) {
            return failed("the list would hold " + next.size() + " entries, more than the maximum of " + maxLength);
        }
        return new Result(UpdateStatus.Accepted,
                new ListSnapshot(request.listVersion(), Collections.unmodifiableMap(next)), null);
    }

    private Result failed(String reason) {
        return new Result(UpdateStatus.Failed, this, reason);
    }

    private static String problem(AuthorizationData data, UpdateType type) {
        if (data == null || data.idTag() == null || data.idTag().isEmpty() || data.idTag().length() > ID_TAG_MAX) {
            return "entry without a valid idTag (1 to " + ID_TAG_MAX + " characters): " + data;
        }
        IdTagInfo info = data.idTagInfo();
        if (info == null) {
            return type == UpdateType.Full ? "entry " + data.idTag() + " has no idTagInfo in a full update" : null;
        }
        if (info.status() == null || info.status() == AuthorizationStatus.ConcurrentTx) {
            return "entry " + data.idTag() + " has status " + info.status()
                    + "; one of Accepted, Blocked, Expired, Invalid is required";
        }
        if (info.parentIdTag() != null && (info.parentIdTag().isEmpty() || info.parentIdTag().length() > ID_TAG_MAX)) {
            return "entry " + data.idTag() + " has a parentIdTag that is not 1 to " + ID_TAG_MAX + " characters";
        }
        return null;
    }
}
