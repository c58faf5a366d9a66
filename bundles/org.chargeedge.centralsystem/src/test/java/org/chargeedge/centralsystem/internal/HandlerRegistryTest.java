package org.chargeedge.centralsystem.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.chargeedge.api.charger.ChargerCallHandler;
import org.chargeedge.ocpp.v16.Action;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Constants;

class HandlerRegistryTest {

    private final HandlerRegistry registry = new HandlerRegistry();

    private static ChargerCallHandler handler(String name) {
        return new ChargerCallHandler() {
            @Override
            public java.util.concurrent.CompletionStage<org.chargeedge.ocpp.v16.Confirmation> handle(
                    org.chargeedge.api.charger.CallContext context, org.chargeedge.ocpp.v16.Request<?> request,
                    Chain chain) {
                return CompletableFuture.failedFuture(new UnsupportedOperationException());
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    private static Map<String, Object> props(Object actions, Object ranking, Object serviceId) {
        Map<String, Object> p = new HashMap<>();
        if (actions != null) {
            p.put(ChargerCallHandler.ACTIONS, actions);
        }
        if (ranking != null) {
            p.put(Constants.SERVICE_RANKING, ranking);
        }
        if (serviceId != null) {
            p.put(Constants.SERVICE_ID, serviceId);
        }
        return p;
    }

    @Test
    void noHandlersForAnAction() {
        assertThat(registry.handlers(Action.Authorize)).isEmpty();
    }

    @Test
    void orderedByRankingHighestFirstThenByServiceIdLowestFirst() {
        ChargerCallHandler low = handler("low");
        ChargerCallHandler highLater = handler("high-later");
        ChargerCallHandler highEarlier = handler("high-earlier");
        ChargerCallHandler neutral = handler("neutral");
        registry.add(low, props(new String[] {"Authorize"}, -10, 1L));
        registry.add(highLater, props(new String[] {"Authorize"}, 50, 9L));
        registry.add(neutral, props(new String[] {"Authorize"}, null, 3L));
        registry.add(highEarlier, props(new String[] {"Authorize"}, 50, 4L));
        assertThat(registry.handlers(Action.Authorize)).containsExactly(highEarlier, highLater, neutral, low);
    }

    @Test
    void actionsMayBeAStringArrayACommaSeparatedStringOrACollection() {
        ChargerCallHandler a = handler("a");
        ChargerCallHandler b = handler("b");
        ChargerCallHandler c = handler("c");
        registry.add(a, props(new String[] {"Authorize", "DataTransfer"}, 0, 1L));
        registry.add(b, props(" Heartbeat , MeterValues ", 0, 2L));
        registry.add(c, props(List.of("StartTransaction", "StopTransaction"), 0, 3L));
        assertThat(registry.handlers(Action.Authorize)).containsExactly(a);
        assertThat(registry.handlers(Action.DataTransfer)).containsExactly(a);
        assertThat(registry.handlers(Action.Heartbeat)).containsExactly(b);
        assertThat(registry.handlers(Action.MeterValues)).containsExactly(b);
        assertThat(registry.handlers(Action.StartTransaction)).containsExactly(c);
        assertThat(registry.handlers(Action.StopTransaction)).containsExactly(c);
        assertThat(registry.handlers(Action.BootNotification)).isEmpty();
    }

    @Test
    void unknownActionNamesAreIgnoredButKnownOnesCount() {
        ChargerCallHandler h = handler("h");
        registry.add(h, props(new String[] {"NoSuchAction", "Authorize", "authorize", ""}, 0, 1L));
        assertThat(registry.handlers(Action.Authorize)).containsExactly(h);
        for (Action a : Action.values()) {
            if (a != Action.Authorize) {
                assertThat(registry.handlers(a)).as("%s", a).isEmpty();
            }
        }
    }

    @Test
    void centralSystemActionsAreIgnored() {
        ChargerCallHandler h = handler("h");
        registry.add(h, props(new String[] {"Reset", "DataTransfer"}, 0, 1L));
        assertThat(registry.handlers(Action.Reset)).isEmpty();
        assertThat(registry.handlers(Action.DataTransfer)).containsExactly(h);
    }

    @Test
    void handlerWithoutAnyKnownActionIsIgnoredEntirely() {
        ChargerCallHandler none = handler("none");
        ChargerCallHandler unknown = handler("unknown");
        registry.add(none, props(null, 0, 1L));
        registry.add(unknown, props("Bogus,Reset", 0, 2L));
        for (Action a : Action.values()) {
            assertThat(registry.handlers(a)).isEmpty();
        }
    }

    @Test
    void removedHandlersDisappearAndOthersKeepTheirOrder() {
        ChargerCallHandler a = handler("a");
        ChargerCallHandler b = handler("b");
        ChargerCallHandler c = handler("c");
        registry.add(a, props("Heartbeat", 3, 1L));
        registry.add(b, props("Heartbeat", 2, 2L));
        registry.add(c, props("Heartbeat", 1, 3L));
        List<ChargerCallHandler> before = registry.handlers(Action.Heartbeat);
        registry.remove(b);
        assertThat(registry.handlers(Action.Heartbeat)).containsExactly(a, c);
        assertThat(before).as("published lists are snapshots").containsExactly(a, b, c);
        registry.remove(handler("never-added"));
        assertThat(registry.handlers(Action.Heartbeat)).containsExactly(a, c);
    }

    @Test
    void nonIntegerRankingCountsAsZero() {
        ChargerCallHandler stringRanked = handler("string-ranked");
        ChargerCallHandler one = handler("one");
        registry.add(stringRanked, props("Heartbeat", "100", 1L));
        registry.add(one, props("Heartbeat", 1, 2L));
        assertThat(registry.handlers(Action.Heartbeat)).containsExactly(one, stringRanked);
    }
}
