package org.chargeedge.it;

import static org.chargeedge.it.OcppTestClient.now;
import static org.chargeedge.it.OcppTestClient.object;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.chargeedge.api.charger.ChargerEvents;
import org.chargeedge.api.charger.ChargerInfo;
import org.chargeedge.api.charger.SiteView;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.ops4j.pax.exam.util.Filter;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Updating bundles at run time: chargers stay connected while bundles other
 * than the central system are updated or restarted, and are disconnected
 * (1001) when the central system itself is updated.
 *
 * <p>PerMethod: each test starts from a fresh framework, so the contrast test
 * does not depend on what the other one left behind.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class BundleUpdateIT {

    private static final String NAME = "BundleUpdateIT";
    private static final String SHELL_FILTER = "(&(osgi.command.scope=chargeedge)(osgi.command.function=chargers))";

    @Inject
    private BundleContext context;

    @Inject
    @Filter(GatewayRuntime.TEST_FILTER)
    private SiteView site;

    private final List<OcppTestClient> chargers = new ArrayList<>();

    @Configuration
    public Option[] config() {
        return GatewayRuntime.options(NAME);
    }

    @Before
    public void connectChargers() throws Exception {
        int port = Integer.parseInt(System.getProperty("chargeedge.it.port." + NAME));
        for (String id : List.of("UPD-1", "UPD-2", "UPD-3")) {
            OcppTestClient cp = OcppTestClient.connect(port, id);
            chargers.add(cp);
            assertEquals("Accepted", cp.boot("UpdVendor", "UpdModel", "9.9").path("status").asText());
        }
        for (OcppTestClient cp : chargers) {
            ChargerSessionIT.await(cp.chargePointId() + " booted", () -> site.charger(cp.chargePointId()),
                    c -> c.connected() && c.boot() != null);
        }
    }

    @After
    public void closeChargers() {
        chargers.forEach(OcppTestClient::close);
    }

    @Test
    public void chargersStayConnectedWhileOtherBundlesAreUpdated() throws Exception {
        Bundle shell = bundle("org.chargeedge.shell");
        ServiceReference<?> commandsBefore = awaitService(SHELL_FILTER, -1);
        assertEquals(shell, commandsBefore.getBundle());
        String before = chargersCommand(commandsBefore);
        for (OcppTestClient cp : chargers) {
            assertTrue(before, before.contains(cp.chargePointId()));
        }

        long modified = shell.getLastModified();
        shell.update();
        assertEquals(Bundle.ACTIVE, shell.getState());
        assertTrue("the shell bundle was not updated", shell.getLastModified() > modified);

        Bundle eventAdmin = bundle("org.apache.felix.eventadmin");
        eventAdmin.stop();
        eventAdmin.start();
        Bundle config = bundle("org.chargeedge.config");
        config.stop();
        config.start();

        // Still connected: every charger's Heartbeat is answered, and nobody got a close frame.
        for (OcppTestClient cp : chargers) {
            JsonNode heartbeat = cp.heartbeat();
            assertTrue(cp.chargePointId() + ": " + heartbeat, heartbeat.hasNonNull("currentTime"));
        }
        for (OcppTestClient cp : chargers) {
            assertFalse(cp.chargePointId() + " was disconnected: " + cp.closed().getNow(null), cp.closed().isDone());
            assertTrue(site.charger(cp.chargePointId()).map(ChargerInfo::connected).orElse(false));
        }

        // The shell's commands are back, registered anew, and see the connected chargers.
        ServiceReference<?> commandsAfter = awaitService(SHELL_FILTER, serviceId(commandsBefore));
        assertNotEquals(serviceId(commandsBefore), serviceId(commandsAfter));
        String after = chargersCommand(commandsAfter);
        for (OcppTestClient cp : chargers) {
            assertTrue(after, after.lines().anyMatch(l -> l.startsWith(cp.chargePointId()) && l.contains(" connected ")));
        }

        // The central system finds the restarted EventAdmin again: charger events are still posted.
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(EventConstants.EVENT_TOPIC, ChargerEvents.TOPIC_ALL);
        ServiceRegistration<EventHandler> handler = context.registerService(EventHandler.class,
                event -> events.add(event.getTopic() + " " + event.getProperty(ChargerEvents.CHARGE_POINT_ID)),
                props);
        try {
            OcppTestClient cp = chargers.get(0);
            cp.callResult("StatusNotification", object().put("connectorId", 1).put("errorCode", "NoError")
                    .put("status", "Available").put("timestamp", now()));
            String expected = ChargerEvents.STATUS_CHANGED + " " + cp.chargePointId();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            String event;
            do {
                event = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            } while (event != null && !event.equals(expected));
            assertEquals("no " + expected + " event after EventAdmin was restarted", expected, event);
        } finally {
            handler.unregister();
        }
    }

    /** The contrast: updating the central system itself does close the connections, with 1001. */
    @Test
    public void updatingTheCentralSystemClosesConnections() throws Exception {
        Bundle centralSystem = bundle("org.chargeedge.centralsystem");
        for (OcppTestClient cp : chargers) {
            assertFalse(cp.closed().isDone());
        }
        centralSystem.update();
        for (OcppTestClient cp : chargers) {
            OcppTestClient.Close close = cp.closed().get(10, TimeUnit.SECONDS);
            assertEquals(cp.chargePointId() + ": " + close, 1001, close.code());
        }
        // And it comes back: a charger can connect and boot again.
        int port = Integer.parseInt(System.getProperty("chargeedge.it.port." + NAME));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (OcppTestClient again = OcppTestClient.connect(port, "UPD-1")) {
                assertEquals("Accepted", again.boot("UpdVendor", "UpdModel", "9.9").path("status").asText());
                break;
            } catch (java.util.concurrent.ExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private Bundle bundle(String symbolicName) {
        return Arrays.stream(context.getBundles()).filter(b -> b.getSymbolicName().equals(symbolicName))
                .findFirst().orElseThrow(() -> new AssertionError(symbolicName + " is not installed"));
    }

    private static long serviceId(ServiceReference<?> ref) {
        return (Long) ref.getProperty("service.id");
    }

    /** Waits for a service matching the filter whose service.id is not {@code notId}. */
    private ServiceReference<?> awaitService(String filter, long notId) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            ServiceReference<?>[] refs = context.getServiceReferences((String) null, filter);
            if (refs != null) {
                for (ServiceReference<?> ref : refs) {
                    if (serviceId(ref) != notId) {
                        return ref;
                    }
                }
            }
            Thread.sleep(20);
        }
        fail("no service " + filter + " other than " + notId);
        return null;
    }

    /** Runs the shell's {@code chargeedge:chargers} command (its class is private to the shell bundle). */
    private String chargersCommand(ServiceReference<?> ref) throws Exception {
        Object commands = context.getService(ref);
        assertNotNull(commands);
        try {
            return (String) commands.getClass().getMethod("chargers").invoke(commands);
        } finally {
            context.ungetService(ref);
        }
    }
}
