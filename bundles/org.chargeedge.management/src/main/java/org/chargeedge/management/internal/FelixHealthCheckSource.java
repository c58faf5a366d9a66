package org.chargeedge.management.internal;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.felix.hc.api.execution.HealthCheckExecutionOptions;
import org.apache.felix.hc.api.execution.HealthCheckExecutionResult;
import org.apache.felix.hc.api.execution.HealthCheckExecutor;
import org.apache.felix.hc.api.execution.HealthCheckSelector;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Felix Health Checks, when they run in the gateway: every check registered
 * (or those with the configured tags) must be OK. The package is an optional
 * import: without Felix Health Checks this component is never satisfied and
 * this class never loaded, and the bundle works on with its other sources.
 */
@Component(service = HealthSource.class, configurationPid = ManagementImpl.PID)
public class FelixHealthCheckSource implements HealthSource {

    private final HealthCheckExecutor executor;
    private final String[] tags;

    @Activate
    public FelixHealthCheckSource(@Reference HealthCheckExecutor executor, ManagementConfig config) {
        this.executor = executor;
        this.tags = config.healthCheckTags();
    }

    @Override
    public String problem(Duration timeout) {
        HealthCheckSelector selector = tags.length == 0 ? HealthCheckSelector.empty() : HealthCheckSelector.tags(tags);
        List<HealthCheckExecutionResult> results = executor.execute(selector,
                new HealthCheckExecutionOptions().setForceInstantExecution(true)
                        .setOverrideGlobalTimeout((int) timeout.toMillis()));
        String failing = results.stream().filter(r -> !r.getHealthCheckResult().isOk())
                .map(r -> r.getHealthCheckMetadata().getName() + " " + r.getHealthCheckResult().getStatus()
                        + (r.hasTimedOut() ? " (timed out)" : ""))
                .collect(Collectors.joining(", "));
        return failing.isEmpty() ? null : "health checks not OK: " + failing;
    }
}
