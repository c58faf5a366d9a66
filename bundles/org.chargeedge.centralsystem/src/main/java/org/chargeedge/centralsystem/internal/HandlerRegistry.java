package org.chargeedge.centralsystem.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import org.chargeedge.api.charger.ChargerCallHandler;
import org.chargeedge.ocpp.v16.Action;
import org.osgi.framework.Constants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ChargerCallHandler} whiteboard: which handlers take part in each
 * action, highest {@code service.ranking} first (then lowest service id).
 */
final class HandlerRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(HandlerRegistry.class);

    private record Entry(ChargerCallHandler handler, int ranking, long serviceId, Set<Action> actions) {}

    private static final Comparator<Entry> ORDER = Comparator.comparingInt(Entry::ranking).reversed()
            .thenComparingLong(Entry::serviceId);

    // Guarded by this; changed only when services come and go.
    private final List<Entry> entries = new ArrayList<>();

    // Immutable snapshot, replaced on every change, read without locking by every call.
    private volatile Map<Action, List<ChargerCallHandler>> byAction = Map.of();

    synchronized void add(ChargerCallHandler handler, Map<String, Object> properties) {
        Set<Action> actions = actions(handler, properties.get(ChargerCallHandler.ACTIONS));
        if (actions.isEmpty()) {
            LOG.warn("Call handler {} names no known action in {}; ignored", handler, ChargerCallHandler.ACTIONS);
            return;
        }
        entries.add(new Entry(handler, intProperty(properties.get(Constants.SERVICE_RANKING)),
                longProperty(properties.get(Constants.SERVICE_ID)), actions));
        publish();
        LOG.info("Call handler {} takes part in {}", handler, actions);
    }

    synchronized void remove(ChargerCallHandler handler) {
        if (entries.removeIf(e -> e.handler() == handler)) {
            publish();
        }
    }

    List<ChargerCallHandler> handlers(Action action) {
        return byAction.getOrDefault(action, List.of());
    }

    private void publish() {
        Map<Action, List<ChargerCallHandler>> map = new EnumMap<>(Action.class);
        entries.stream().sorted(ORDER).forEach(e -> e.actions()
                .forEach(a -> map.computeIfAbsent(a, k -> new ArrayList<>()).add(e.handler())));
        map.replaceAll((a, list) -> List.copyOf(list));
        byAction = Map.copyOf(map);
    }

    private static Set<Action> actions(ChargerCallHandler handler, Object property) {
        Stream<String> names;
        if (property == null) {
            names = Stream.empty();
        } else if (property instanceof String s) {
            names = Stream.of(s.split(","));
        } else if (property instanceof String[] a) {
            names = Stream.of(a);
        } else if (property instanceof Iterable<?> it) {
            names = StreamSupport.stream(it.spliterator(), false).map(String::valueOf);
        } else {
            names = Stream.of(String.valueOf(property));
        }
        return names.map(String::trim).filter(n -> !n.isEmpty()).map(n -> {
            Optional<Action> a = Action.byName(n);
            if (a.isEmpty()) {
                LOG.warn("Call handler {} names unknown action '{}'", handler, n);
            } else if (!a.get().initiator().chargePoint()) {
                LOG.warn("Call handler {} names {}, which chargers never send", handler, n);
                return Optional.<Action>empty();
            }
            return a;
        }).flatMap(Optional::stream).collect(Collectors.toUnmodifiableSet());
    }

    private static int intProperty(Object value) {
        return value instanceof Integer i ? i : 0;
    }

    private static long longProperty(Object value) {
        return value instanceof Long l ? l : Long.MAX_VALUE;
    }
}
