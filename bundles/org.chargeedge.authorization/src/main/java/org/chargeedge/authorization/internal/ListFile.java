package org.chargeedge.authorization.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import org.chargeedge.ocpp.v16.AuthorizationData;
import org.chargeedge.ocpp.v16.AuthorizationStatus;
import org.chargeedge.ocpp.v16.IdTagInfo;
import org.chargeedge.ocpp.v16.SendLocalListRequest;
import org.chargeedge.ocpp.v16.UpdateType;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads {@code local-auth-list.json} of the configuration directory:
 * <pre>{"version": N, "entries": [{"idTag": "...", "status": "Accepted",
 *   "expiryDate": "2027-01-01T00:00:00Z", "parentIdTag": "..."}]}</pre>
 * as a Full update. Strict: an unknown field is refused rather than ignored,
 * because a misspelt "expiryDate" would otherwise give a card unlimited validity.
 */
final class ListFile {

    static final String NAME = "local-auth-list.json";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TOP = Set.of("version", "entries");
    private static final Set<String> ENTRY = Set.of("idTag", "status", "expiryDate", "parentIdTag");

    /** Why a file cannot be used; the message names the place. */
    static final class MalformedException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedException(String message) {
            super(message);
        }
    }

    private ListFile() {
    }

    static SendLocalListRequest read(Path file) throws IOException, MalformedException {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (JsonProcessingException e) {
            throw new MalformedException("not JSON: " + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        }
        if (root == null || !root.isObject()) {
            throw new MalformedException("the file must hold one JSON object");
        }
        onlyKnownFields(root, TOP, "the top level");
        JsonNode version = root.get("version");
        if (version == null || !version.canConvertToInt() || !version.isIntegralNumber()) {
            throw new MalformedException("\"version\" must be an integer");
        }
        JsonNode entries = root.get("entries");
        if (entries == null || !entries.isArray()) {
            throw new MalformedException("\"entries\" must be an array");
        }
        List<AuthorizationData> list = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            list.add(entry(entries.get(i), "entries[" + i + "]"));
        }
        return new SendLocalListRequest(version.intValue(), list, UpdateType.Full);
    }

    private static AuthorizationData entry(JsonNode node, String where) throws MalformedException {
        if (!node.isObject()) {
            throw new MalformedException(where + " must be an object");
        }
        onlyKnownFields(node, ENTRY, where);
        String idTag = text(node, "idTag", where, true);
        String statusText = text(node, "status", where, true);
        AuthorizationStatus status;
        try {
            status = AuthorizationStatus.valueOf(statusText);
        } catch (IllegalArgumentException e) {
            throw new MalformedException(where + ".status \"" + statusText
                    + "\" is not one of Accepted, Blocked, Expired, Invalid");
        }
        String expiryText = text(node, "expiryDate", where, false);
        Instant expiry = null;
        if (expiryText != null) {
            try {
                expiry = Instant.parse(expiryText);
            } catch (DateTimeParseException e) {
                throw new MalformedException(where + ".expiryDate \"" + expiryText
                        + "\" is not a UTC date-time such as 2027-01-01T00:00:00Z");
            }
        }
        return new AuthorizationData(idTag, new IdTagInfo(expiry, text(node, "parentIdTag", where, false), status));
    }

    private static String text(JsonNode node, String field, String where, boolean required)
            throws MalformedException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw new MalformedException(where + "." + field + " is missing");
            }
            return null;
        }
        if (!value.isTextual()) {
            throw new MalformedException(where + "." + field + " must be a string");
        }
        return value.textValue();
    }

    private static void onlyKnownFields(JsonNode node, Set<String> known, String where) throws MalformedException {
        for (Iterator<String> names = node.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!known.contains(name)) {
                throw new MalformedException("unknown field \"" + name + "\" in " + where + "; known: " + known);
            }
        }
    }
}
