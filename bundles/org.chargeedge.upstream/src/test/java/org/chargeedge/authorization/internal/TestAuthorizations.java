package org.chargeedge.authorization.internal;

import java.lang.reflect.Proxy;
import java.time.Clock;

import org.chargeedge.api.authorization.AuthorizationRepository;
import org.chargeedge.api.charger.SiteView;

/** The real local authorization outside the framework, with its configuration defaults, for the upstream link's tests. */
public final class TestAuthorizations {

    private TestAuthorizations() {
    }

    public static LocalAuthorization open(AuthorizationRepository repository, SiteView site) {
        Config defaults = (Config) Proxy.newProxyInstance(Config.class.getClassLoader(), new Class<?>[] {Config.class},
                (proxy, method, args) -> method.getName().equals("annotationType") ? Config.class
                        : method.getDefaultValue());
        return new LocalAuthorization(defaults, repository, site, Clock.systemUTC(), null);
    }
}
