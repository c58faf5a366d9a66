package org.chargeedge.config.internal;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationPlugin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@link EnvironmentOverride}s to configurations as Configuration
 * Admin delivers them (to Declarative Services as to any other consumer), so
 * the stored configuration and the files stay as they are and removing the
 * variable restores them.
 */
@Component(immediate = true, property = {
        ConfigurationPlugin.CM_RANKING + ":Integer=1000",
        "config.plugin.id=org.chargeedge.config.environment"})
public class EnvironmentOverrides implements ConfigurationPlugin {

    private static final Logger LOG = LoggerFactory.getLogger(EnvironmentOverrides.class);

    /** The overrides whose variable is set, read once at activation: the environment of a process does not change. */
    private final List<ActiveOverride> active;

    record ActiveOverride(EnvironmentOverride override, String value) {}

    @Activate
    public EnvironmentOverrides(@Reference ConfigurationAdmin configurationAdmin) {
        this(configurationAdmin, System.getenv());
    }

    EnvironmentOverrides(ConfigurationAdmin configurationAdmin, Map<String, String> environment) {
        this.active = EnvironmentOverride.ALL.stream()
                .filter(o -> environment.get(o.variable()) != null && !environment.get(o.variable()).isBlank())
                .map(o -> new ActiveOverride(o, environment.get(o.variable()).trim()))
                .toList();
        for (ActiveOverride a : active) {
            LOG.info("{}={} overrides {} in configuration {}", a.override().variable(), a.value(),
                    a.override().property(), a.override().pid());
            ensureExists(configurationAdmin, a.override().pid());
        }
    }

    /**
     * A configuration that does not exist is never delivered, so there would be
     * nothing to override: create an empty one. Files in the config directory
     * still fill it as usual.
     */
    private static void ensureExists(ConfigurationAdmin admin, String pid) {
        try {
            Configuration[] existing = admin.listConfigurations(
                    "(" + Constants.SERVICE_PID + "=" + pid + ")");
            if (existing == null) {
                admin.getConfiguration(pid, "?").update(new Hashtable<>());
            }
        } catch (IOException | InvalidSyntaxException e) {
            LOG.error("Cannot create configuration {} for an environment override", pid, e);
        }
    }

    @Override
    public void modifyConfiguration(ServiceReference<?> reference, Dictionary<String, Object> properties) {
        apply(properties);
    }

    void apply(Dictionary<String, Object> properties) {
        Object pid = properties.get(Constants.SERVICE_PID);
        for (ActiveOverride a : active) {
            if (Objects.equals(a.override().pid(), pid)) {
                properties.put(a.override().property(), a.value());
            }
        }
    }

    /** For the log and the tests: variable to value of every active override. */
    Map<String, String> activeOverrides() {
        return active.stream().collect(Collectors.toMap(a -> a.override().variable(), ActiveOverride::value));
    }
}
