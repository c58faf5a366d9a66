package org.chargeedge.management.internal.testbundle;

import java.util.Hashtable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.ServiceRegistration;

/**
 * The activator of the bundles the job tests build: registers a Runnable
 * whose {@code healthy} property comes from the bundle's {@code Test-Healthy}
 * header, so a test health source can see whether the running revision is a
 * good one; throws when the header {@code Test-Fail-Start} is present. With
 * {@code Test-Null-Service}, it also registers a service whose factory gives
 * nothing and asks for it once: the framework reports a factory error, as it
 * does when a Declarative Services component is asked for while one of its
 * references comes and goes.
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
        if (context.getBundle().getHeaders().get("Test-Null-Service") != null) {
            ServiceRegistration<?> nothing = context.registerService(Comparable.class.getName(),
                    new NullServiceFactory(), null);
            // the framework tells its listeners on its own thread, in the order they came: once this one has
            // heard, those listening before it (the job) have too
            CountDownLatch heard = new CountDownLatch(1);
            FrameworkListener listener = e -> {
                if (e.getType() == FrameworkEvent.ERROR && e.getBundle() == context.getBundle()) {
                    heard.countDown();
                }
            };
            context.addFrameworkListener(listener);
            context.getService(nothing.getReference());
            try {
                heard.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            context.removeFrameworkListener(listener);
        }
    }

    @Override
    public void stop(BundleContext context) {
    }
}
