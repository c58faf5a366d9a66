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

    /** Where parentIdTags are looked up; either supplier returns null while its service is absent. */
    void use(Supplier<LocalAuthorizationList> list, Supplier<AuthorizationCache> cache) {
        this.list = list;
        this.cache = cache;
    }

    /** The group of the session on {@code ref} at the last run, or null. Any thread. */
    Group of(ConnectorRef ref) {
        return current.get(ref);
    }

    /** The snapshot with each session's priority raised to its group's. Controller thread. */
    SiteSnapshot apply(SiteSnapshot s, List<ChargerInfo> chargers, IdTagGroups groups) {
        if (groups.isEmpty()) {
            current = Map.of();
            return s;
        }
        Map<ConnectorRef, String> idTags = new HashMap<>();
        for (ChargerInfo ci : chargers) {
            for (TransactionInfo tx : ci.openTransactions()) {
                idTags.put(new ConnectorRef(ci.chargePointId(), tx.connectorId()), tx.idTag());
            }
        }
        Map<ConnectorRef, Group> found = new HashMap<>();
        List<Connector> out = new ArrayList<>(s.connectors().size());
        for (Connector c : s.connectors()) {
            Group g = c.session() == null ? null : groupOf(idTags.get(c.ref()), groups);
            if (g != null) {
                found.put(c.ref(), g);
                if (g.priority() > c.priority()) {
                    c = c.withPriority(g.priority());
                }
            }
            out.add(c);
        }
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
