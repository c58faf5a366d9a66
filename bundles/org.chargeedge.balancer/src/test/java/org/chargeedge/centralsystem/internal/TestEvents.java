package org.chargeedge.centralsystem.internal;

import org.osgi.service.event.EventAdmin;

/** Binds an EventAdmin to the harness's central system, as DS does (the balancer's tests follow charger events). */
public final class TestEvents {

    private TestEvents() {
    }

    public static void bind(CentralSystemHarness harness, EventAdmin eventAdmin) {
        harness.centralSystem.setEventAdmin(eventAdmin);
    }
}
