package org.chargeedge.centralsystem.internal;

import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which connection paths name a charge point. An id must be URL safe (RFC 3986
 * unreserved characters, no percent-encoding), not empty and not longer than
 * the limit. Whether the charger is known is {@link AccessControl}'s question.
 */
final class ChargePointIds {

    private final String pathPrefix;
    private final int maxLength;

    ChargePointIds(String pathPrefix, int maxLength) {
        String prefix = pathPrefix.trim();
        prefix = prefix.startsWith("/") ? prefix : "/" + prefix;
        this.pathPrefix = prefix.endsWith("/") ? prefix : prefix + "/";
        this.maxLength = maxLength;
    }

    /** The comma-separated list as a set of its non-empty, trimmed items. */
    static Set<String> csv(String list) {
        return list == null ? Set.of() : Arrays.stream(list.split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
    }

    /** The outcome of checking a path: the id, or the reason it is refused. */
    record Check(String chargePointId, String refusal) {
        boolean accepted() {
            return refusal == null;
        }
    }

    Check check(String resourceDescriptor) {
        String path = resourceDescriptor == null ? "" : resourceDescriptor;
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        if (!path.startsWith(pathPrefix)) {
            return new Check(null, "path does not start with " + pathPrefix);
        }
        return checkId(path.substring(pathPrefix.length()));
    }

    /** Checks an id as given (by an operator, or from a path). */
    Check checkId(String id) {
        if (id == null || id.isEmpty()) {
            return new Check(null, "no charge point id after " + pathPrefix);
        }
        if (id.length() > maxLength) {
            return new Check(null, "charge point id longer than " + maxLength + " characters");
        }
        Optional<Character> bad = firstUnsafe(id);
        if (bad.isPresent()) {
            return new Check(null, "charge point id contains '" + PeerText.shortText(String.valueOf(bad.get()))
                    + "'; allowed are letters, digits and - . _ ~");
        }
        return new Check(id, null);
    }

    private static Optional<Character> firstUnsafe(String id) {
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~';
            if (!unreserved) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
