package org.chargeedge.management.internal.testbundle;

import java.util.Hashtable;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * The activator of the bundles the job tests build: registers a Runnable
 * whose {@code healthy} property comes from the bundle's {@code Test-Healthy}
 * header, so a test health source can see whether the running revision is a
 * good one; throws when the header {@code Test-Fail-Start} is present.
 */
public class MarkerActivator implements BundleActivator {

    @Override
    public void start(BundleContext context) {
        String fail = context.getBundle().getHeaders().get("Test-Fail-Start");
        if (fail != null) {
            throw new IllegalStateException(fail);
        }
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("test.bundle", context.getBundle().getSymbolicName());
        props.put("test.version", context.getBundle().getVersion().toString());
        props.put("healthy", Boolean.parseBoolean(context.getBundle().getHeaders().get("Test-Healthy")));
        context.registerService(Runnable.class, () -> { }, props);
    }

    @Override
    public void stop(BundleContext context) {
    }
}
