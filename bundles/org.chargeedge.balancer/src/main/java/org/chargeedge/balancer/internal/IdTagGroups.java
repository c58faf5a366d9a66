package org.chargeedge.balancer.internal;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Priority classes by idTag group (fleet, premium, ...), as configured: which idTag or parentIdTag belongs to which
 * group ({@code idTagGroups}), and each group's priority ({@code groupPriority}). IdTags are compared without
 * regard to case, as OCPP compares them. Immutable; parsed once.
 *
 * @param groups group by idTag or parentIdTag, keys in lower case
 * @param priorities priority by group
 */
record IdTagGroups(Map<String, String> groups, Map<String, Integer> priorities) {

    static final IdTagGroups NONE = new IdTagGroups(Map.of(), Map.of());

    IdTagGroups {
        groups = Map.copyOf(groups);
        priorities = Map.copyOf(priorities);
    }

    /**
     * Parses {@code idTagGroups} ({@code IDTAG_OR_PARENTIDTAG=GROUP}, comma-separated) and {@code groupPriority}
     * ({@code GROUP=PRIORITY}, comma-separated). Every group named in {@code idTagGroups} needs a priority: a group
     * without one is most likely a typing error, and would silently give its sessions nothing.
     *
     * @throws IllegalArgumentException naming the key, the entry and what is wrong with it
     */
    static IdTagGroups parse(String idTagGroups, String groupPriority) {
        Map<String, Integer> priorities = new LinkedHashMap<>();
        for (String[] kv : SiteSettings.entries("groupPriority", groupPriority, "GROUP=PRIORITY")) {
            int p;
            try {
                p = Integer.parseInt(kv[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("groupPriority: '" + kv[0] + "=" + kv[1] + "': '" + kv[1]
                        + "' is not a whole number (higher is served first)");
            }
            if (priorities.put(kv[0], p) != null) {
                throw new IllegalArgumentException("groupPriority: group " + kv[0] + " is named twice");
            }
        }
        Map<String, String> groups = new LinkedHashMap<>();
        for (String[] kv : SiteSettings.entries("idTagGroups", idTagGroups, "IDTAG=GROUP")) {
            String tag = kv[0].toLowerCase(Locale.ROOT);
            if (!priorities.containsKey(kv[1])) {
                throw new IllegalArgumentException("idTagGroups: '" + kv[0] + "=" + kv[1] + "': group " + kv[1]
                        + " has no priority in groupPriority" + (priorities.isEmpty() ? "" : " (it names "
                        + String.join(", ", priorities.keySet()) + ")"));
            }
            String before = groups.put(tag, kv[1]);
            if (before != null && !before.equals(kv[1])) {
                throw new IllegalArgumentException("idTagGroups: " + kv[0] + " is in two groups, " + before + " and "
                        + kv[1]);
            }
        }
        return new IdTagGroups(groups, priorities);
    }

    boolean isEmpty() {
        return groups.isEmpty();
    }

    /** The group an idTag (or parentIdTag) is named in, or null. */
    String groupOf(String idTag) {
        return idTag == null ? null : groups.get(idTag.toLowerCase(Locale.ROOT));
    }

    int priorityOf(String group) {
        return priorities.getOrDefault(group, 0);
    }
}
