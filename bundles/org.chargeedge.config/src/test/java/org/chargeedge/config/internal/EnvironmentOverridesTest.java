package org.chargeedge.config.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.osgi.framework.Constants;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.junit.jupiter.api.Test;

class EnvironmentOverridesTest {

    private final List<String> created = new ArrayList<>();

    /** Configuration Admin that knows no configuration and records what is created. */
    private ConfigurationAdmin emptyAdmin() {
        return (ConfigurationAdmin) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ConfigurationAdmin.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "listConfigurations" -> null;
                    case "getConfiguration" -> {
                        created.add((String) args[0]);
                        yield Proxy.newProxyInstance(getClass().getClassLoader(),
                                new Class<?>[] {Configuration.class}, (p, m, a) -> null);
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void portVariableWinsOverTheFileValue() {
        EnvironmentOverrides overrides = new EnvironmentOverrides(emptyAdmin(), Map.of("CHARGEEDGE_OCPP_PORT", " 9100 "));
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(Constants.SERVICE_PID, "org.chargeedge.centralsystem");
        props.put("port", "9000");
        overrides.apply(props);
        assertThat(props.get("port")).isEqualTo("9100");
        assertThat(created).containsExactly("org.chargeedge.centralsystem");
    }

    @Test
    void otherConfigurationsAreUntouched() {
        EnvironmentOverrides overrides = new EnvironmentOverrides(emptyAdmin(), Map.of("CHARGEEDGE_OCPP_PORT", "9100"));
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(Constants.SERVICE_PID, "org.chargeedge.other");
        props.put("port", "1");
        overrides.apply(props);
        assertThat(props.get("port")).isEqualTo("1");
    }

    @Test
    void unsetOrBlankVariablesOverrideNothing() {
        EnvironmentOverrides overrides = new EnvironmentOverrides(emptyAdmin(), Map.of("CHARGEEDGE_OCPP_PORT", "  "));
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(Constants.SERVICE_PID, "org.chargeedge.centralsystem");
        props.put("port", "9000");
        overrides.apply(props);
        assertThat(props.get("port")).isEqualTo("9000");
        assertThat(overrides.activeOverrides()).isEmpty();
        assertThat(created).isEmpty();
    }

    @Test
    void gridLimitVariableSetsTheBalancersGridLimit() {
        EnvironmentOverrides overrides = new EnvironmentOverrides(emptyAdmin(), Map.of("CHARGEEDGE_GRID_LIMIT_A", "63"));
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(Constants.SERVICE_PID, "org.chargeedge.balancer");
        props.put("gridLimitA", "25");
        overrides.apply(props);
        assertThat(props.get("gridLimitA")).isEqualTo("63");
        assertThat(created).containsExactly("org.chargeedge.balancer");
    }
}
