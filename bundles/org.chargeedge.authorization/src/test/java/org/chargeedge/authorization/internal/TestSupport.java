package org.chargeedge.authorization.internal;

import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import org.chargeedge.api.charger.ChargerInfo;
import org.chargeedge.api.charger.SiteView;
import org.chargeedge.api.charger.TransactionInfo;

/** Configuration, clock and site view for tests of the components outside OSGi. */
final class TestSupport {

    static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    private TestSupport() {
    }

    /** A {@link Config} with its annotation defaults, overridden by {@code properties} (as DS would convert). */
    static Config config(Map<String, Object> properties) {
        return (Config) Proxy.newProxyInstance(Config.class.getClassLoader(), new Class<?>[] {Config.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("annotationType")) {
                        return Config.class;
                    }
                    if (method.getDeclaringClass() == Object.class) {
                        return null;
                    }
                    Object value = properties.get(method.getName());
                    return value != null ? value : method.getDefaultValue();
                });
    }

    static Config config() {
        return config(Map.of());
    }

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    /** A site view over whatever the supplier gives at the time of the call. */
    static SiteView site(Supplier<List<ChargerInfo>> chargers) {
        return new SiteView() {
            @Override
            public List<ChargerInfo> chargers() {
                return chargers.get();
            }

            @Override
            public Optional<ChargerInfo> charger(String id) {
                return chargers().stream().filter(c -> c.chargePointId().equals(id)).findFirst();
            }
        };
    }

    static SiteView emptySite() {
        return site(List::of);
    }

    /** A connected charger with these open transactions. */
    static ChargerInfo charger(String id, TransactionInfo... open) {
        return new ChargerInfo(id, true, T0, null, "10.0.0.1:40000", null, null, T0, List.of(), List.of(open));
    }

    static TransactionInfo transaction(int id, int connector, String idTag) {
        return new TransactionInfo(id, connector, idTag, 0, T0, null);
    }
}
