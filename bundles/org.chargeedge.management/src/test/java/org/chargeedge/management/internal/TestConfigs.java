package org.chargeedge.management.internal;

import java.lang.reflect.Proxy;
import java.util.Map;

/** Configuration annotations as Declarative Services hands them over: the defaults, overridden by a map. */
final class TestConfigs {

    private TestConfigs() {
    }

    static ManagementConfig management(Map<String, Object> values) {
        return (ManagementConfig) Proxy.newProxyInstance(ManagementConfig.class.getClassLoader(),
                new Class<?>[] {ManagementConfig.class}, (proxy, method, args) -> {
                    if (method.getName().equals("annotationType")) {
                        return ManagementConfig.class;
                    }
                    Object value = values.get(method.getName());
                    return value != null ? value : method.getDefaultValue();
                });
    }
}
