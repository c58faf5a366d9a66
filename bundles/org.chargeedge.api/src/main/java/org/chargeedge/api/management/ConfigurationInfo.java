package org.chargeedge.api.management;

import java.util.Map;

/**
 * One configuration in Configuration Admin.
 *
 * @param pid its persistent id
 * @param factoryPid its factory pid, null for a singleton configuration
 * @param properties its properties without the framework's own ({@code service.pid} and the like), values as
 *        Configuration Admin holds them (strings, numbers, booleans, arrays)
 * @param file the file of the configuration directory it came from, or null when it was created at run time
 */
public record ConfigurationInfo(String pid, String factoryPid, Map<String, Object> properties, String file) {

    public ConfigurationInfo {
        properties = Map.copyOf(properties);
    }
}
