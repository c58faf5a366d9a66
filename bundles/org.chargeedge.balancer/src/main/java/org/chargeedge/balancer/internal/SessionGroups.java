package org.chargeedge.balancer.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import org.chargeedge.api.authorization.AuthorizationCache;
import org.chargeedge.api.authorization.LocalAuthorizationList;
import org.chargeedge.api.charger.ChargerInfo;
import org.chargeedge.api.charger.TransactionInfo;
import org.chargeedge.balancer.core.SiteSnapshot;
import org.chargeedge.balancer.core.SiteSnapshot.Connector;
import org.chargeedge.balancer.core.SiteSnapshot.ConnectorRef;
import org.chargeedge.ocpp.v16.AuthorizationData;
import org.chargeedge.ocpp.v16.IdTagInfo;

/**
 * Each session's idTag group and the priority it brings: the group its idTag is named in ({@link IdTagGroups}),
 * else the group of its parentIdTag, looked up in the local authorization list, then in the authorization cache
 * (both optional). A session's priority is the higher of its charger's and its group's.
 *
 * <p>Threads: {@link #apply} runs on the controller thread, which alone writes {@link #current} (an immutable map
 * replaced whole, read by the status on any thread); DS sets the lookups' suppliers on its threads (volatile).
 */
final class SessionGroups {

    /**
     * A session's group.
     *
     * @param name the group
     * @param priority the group's priority
     * @param via what named it: {@code idTag X} or {@code parentIdTag Y}
     */
    record Group(String name, int priority, String via) {
        @Override
        public String toString() {
            return name + " (" + priority + ", " + via + ")";
        }
    }

    private volatile Supplier<LocalAuthorizationList> list = () -> null;
    private volatile Supplier<AuthorizationCache> cache = () -> null;
    private volatile Map<ConnectorRef, Group> current = Map.of();
    /**
     * Each open session's group as looked up (empty: none) and when, so that the list and the cache (the store) are
     * asked once a {@link #LOOKUP_AGAIN} per session, not on every run; dropped when the groups or the lookups
     * change. Controller thread only.
     */
    private Map<String, LookedUp> bySession = new HashMap<>();
    private IdTagGroups lookedUpWith;
    private int lookedUpGeneration;
    /** Counts {@link #use} calls, so the controller thread sees new lookups. */
    private final java.util.concurrent.atomic.AtomicInteger generation = new java.util.concurrent.atomic.AtomicInteger();

    /** A local list sent during a session changes its group within this. */
    static final java.time.Duration LOOKUP_AGAIN = java.time.Duration.ofMinutes(1);

    private record LookedUp(Optional<Group> group, java.time.Instant at) {
    }

    /** Where parentIdTags are looked up; either supplier returns null while its service is absent. */
    void use(Supplier<LocalAuthorizationList> list, Supplier<AuthorizationCache> cache) {
        this.list = list;
        this.cache = cache;
        generation.incrementAndGet();
    }

    /** The group of the session on {@code ref} at the last run, or null. Any thread. */
    Group of(ConnectorRef ref) {
        return current.get(ref);
    }

    /** The snapshot with each session's priority raised to its group's. Controller thread. */
    SiteSnapshot apply(SiteSnapshot s, List<ChargerInfo> chargers, IdTagGroups groups) {
        if (groups.isEmpty()) {
            current = Map.of();
            bySession = new HashMap<>();
            return s;
        }
        int gen = generation.get();
        if (groups != lookedUpWith || gen != lookedUpGeneration) {
            bySession = new HashMap<>();
            lookedUpWith = groups;
            lookedUpGeneration = gen;
        }
        Map<ConnectorRef, String> idTags = new HashMap<>();
        for (ChargerInfo ci : chargers) {
            for (TransactionInfo tx : ci.openTransactions()) {
                idTags.put(new ConnectorRef(ci.chargePointId(), tx.connectorId()), tx.idTag());
            }
        }
        Map<ConnectorRef, Group> found = new HashMap<>();
        Map<String, LookedUp> seen = new HashMap<>();
        List<Connector> out = new ArrayList<>(s.connectors().size());
        for (Connector c : s.connectors()) {
            Group g = null;
            if (c.session() != null) {
                String key = c.ref() + "#" + c.session();
                LookedUp known = bySession.get(key);
                if (known == null || !s.now().isBefore(known.at().plus(LOOKUP_AGAIN))) {
                    known = new LookedUp(Optional.ofNullable(groupOf(idTags.get(c.ref()), groups)), s.now());
                }
                seen.put(key, known);
                g = known.group().orElse(null);
            }
            if (g != null) {
                found.put(c.ref(), g);
                if (g.priority() > c.priority()) {
                    c = c.withPriority(g.priority());
                }
            }
            out.add(c);
        }
        bySession = seen;
        current = Map.copyOf(found);
        return new SiteSnapshot(s.now(), s.grid(), s.circuits(), s.chargers(), s.measurements(), out, s.tariff(),
                s.settings(), s.previous());
    }

    /** The group of an idTag: its own, else its parentIdTag's; null if neither is in a group. */
    Group groupOf(String idTag, IdTagGroups groups) {
        if (idTag == null) {
            return null;
        }
        String g = groups.groupOf(idTag);
        if (g != null) {
            return new Group(g, groups.priorityOf(g), "idTag " + idTag);
        }
        String parent = parentOf(idTag);
        g = groups.groupOf(parent);
        return g == null ? null : new Group(g, groups.priorityOf(g), "parentIdTag " + parent);
    }

    /** The parentIdTag of an idTag: from the local list, else from the cache; null if neither knows one. */
    String parentOf(String idTag) {
        LocalAuthorizationList l = list.get();
        Optional<String> parent = l == null ? Optional.empty() : l.entry(idTag).map(AuthorizationData::idTagInfo)
                .map(IdTagInfo::parentIdTag);
        if (parent.isEmpty()) {
            AuthorizationCache c = cache.get();
            parent = c == null ? Optional.empty() : c.get(idTag).map(IdTagInfo::parentIdTag);
        }
        return parent.orElse(null);
    }
}
