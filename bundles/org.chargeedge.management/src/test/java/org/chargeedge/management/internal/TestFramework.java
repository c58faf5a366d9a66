package org.chargeedge.management.internal;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.apache.felix.framework.FrameworkFactory;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;

/** A real Felix with its storage in a directory, kept across a stop and start as the gateway keeps it. */
final class TestFramework implements AutoCloseable {

    private final Framework framework;

    TestFramework(Path storage, Map<String, String> extra) throws Exception {
        Map<String, String> p = new HashMap<>(extra);
        p.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        p.put(Constants.FRAMEWORK_STORAGE_CLEAN, "none");
        framework = new FrameworkFactory().newFramework(p);
        framework.start();
    }

    TestFramework(Path storage) throws Exception {
        this(storage, Map.of());
    }

    /** Whether the framework stopped (by itself, or by someone stopping the system bundle) within the time. */
    boolean stopsWithin(long millis) throws InterruptedException {
        return framework.waitForStop(millis).getType() != org.osgi.framework.FrameworkEvent.WAIT_TIMEDOUT;
    }

    BundleContext context() {
        return framework.getBundleContext();
    }

    @Override
    public void close() throws Exception {
        framework.stop();
        framework.waitForStop(10_000);
    }
}
