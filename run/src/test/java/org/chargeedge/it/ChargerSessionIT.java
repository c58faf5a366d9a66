package org.chargeedge.it;

import static org.chargeedge.it.OcppTestClient.now;
import static org.chargeedge.it.OcppTestClient.object;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import javax.inject.Inject;

import org.chargeedge.api.charger.ChargerCallException;
import org.chargeedge.api.charger.ChargerCommands;
import org.chargeedge.api.charger.ChargerInfo;
import org.chargeedge.api.charger.ConnectorInfo;
import org.chargeedge.api.charger.SiteView;
import org.chargeedge.api.charger.TransactionInfo;
import org.chargeedge.ocpp.v16.ChargePointStatus;
import org.chargeedge.ocpp.v16.ResetConfirmation;
import org.chargeedge.ocpp.v16.ResetRequest;
import org.chargeedge.ocpp.v16.ResetStatus;
import org.chargeedge.ocpp.v16.ResetType;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.ops4j.pax.exam.util.Filter;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A charger session over a real WebSocket against the distribution's bundles
 * in Felix: what the charger sends is answered and shows in {@link SiteView};
 * what the gateway sends with {@link ChargerCommands} is answered by the
 * charger and comes back typed.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ChargerSessionIT {

    private static final String NAME = "ChargerSessionIT";

    @Inject
    private BundleContext context;

    // The filter makes sure the services come from the central system running on the test configuration.
    @Inject
    @Filter(GatewayRuntime.TEST_FILTER)
    private ChargerCommands commands;

    @Inject
    @Filter(GatewayRuntime.TEST_FILTER)
    private SiteView site;

    @Configuration
    public Option[] config() {
        return GatewayRuntime.options(NAME);
    }

    private static int port() {
        return Integer.parseInt(System.getProperty("chargeedge.it.port." + NAME));
    }

    @Test
    public void everyDistributionBundleIsInstalledAndActive() {
        // A fresh framework storage under target/it (cleanCaches removes it afterwards).
        String storage = context.getProperty("org.osgi.framework.storage");
        assertTrue(storage, Path.of(storage).startsWith(GatewayRuntime.itDir().resolve(NAME)));
        Map<String, Bundle> bySymbolicName = java.util.Arrays.stream(context.getBundles())
                .collect(Collectors.toMap(Bundle::getSymbolicName, b -> b, (a, b) -> a));
        for (Path jar : GatewayRuntime.distributionJars()) {
            var mf = GatewayRuntime.manifest(jar);
            String bsn = GatewayRuntime.symbolicName(mf);
            Bundle bundle = bySymbolicName.get(bsn);
            assertNotNull(bsn + " from " + jar.getFileName() + " is not installed", bundle);
            assertEquals(jar.toUri().toString(), bundle.getLocation());
            if (mf.getMainAttributes().getValue("Fragment-Host") == null) {
                assertEquals(bsn + " is not active", Bundle.ACTIVE, bundle.getState());
            }
        }
    }

    @Test
    public void chargerSessionAndCommand() throws Exception {
        try (OcppTestClient cp = OcppTestClient.connect(port(), "PAX-1")) {
            assertEquals("ocpp1.6", cp.subprotocol());

            JsonNode boot = cp.boot("PaxVendor", "PaxModel", "1.2.3");
            assertEquals("Accepted", boot.path("status").asText());
            assertEquals(GatewayRuntime.HEARTBEAT_INTERVAL, boot.path("interval").asInt());
            assertTrue("currentTime in " + boot, boot.hasNonNull("currentTime"));

            JsonNode status = cp.callResult("StatusNotification", object().put("connectorId", 1)
                    .put("errorCode", "NoError").put("status", "Preparing").put("timestamp", now()));
            assertEquals(0, status.size());

            JsonNode start = cp.callResult("StartTransaction", object().put("connectorId", 1)
                    .put("idTag", "TAG-1").put("meterStart", 1000).put("timestamp", now()));
            assertEquals("Accepted", start.path("idTagInfo").path("status").asText());
            assertTrue("transactionId in " + start, start.path("transactionId").isInt());
            int transactionId = start.path("transactionId").asInt();

            ChargerInfo info = await("PAX-1 booted with transaction " + transactionId,
                    () -> site.charger("PAX-1"),
                    c -> c.boot() != null && c.transaction(transactionId).isPresent());
            assertTrue(info.connected());
            assertEquals("PaxVendor", info.boot().chargePointVendor());
            assertEquals("PaxModel", info.boot().chargePointModel());
            assertEquals("1.2.3", info.boot().firmwareVersion());
            assertEquals("SN-PAX-1", info.boot().chargePointSerialNumber());
            assertNotNull(info.bootedAt());
            assertEquals(ChargePointStatus.Preparing,
                    info.connector(1).map(ConnectorInfo::status).orElse(null));
            TransactionInfo tx = info.transaction(transactionId).orElseThrow();
            assertEquals(1, tx.connectorId());
            assertEquals("TAG-1", tx.idTag());
            assertEquals(1000, tx.meterStart());
            assertTrue("PAX-1 listed in " + site.chargers(),
                    site.chargers().stream().anyMatch(c -> c.chargePointId().equals("PAX-1")));

            var meterValue = object().put("timestamp", now());
            meterValue.putArray("sampledValue").addObject().put("value", "1500")
                    .put("measurand", "Energy.Active.Import.Register").put("unit", "Wh");
            var meter = object().put("connectorId", 1).put("transactionId", transactionId);
            meter.putArray("meterValue").add(meterValue);
            assertEquals(0, cp.callResult("MeterValues", meter).size());
            TransactionInfo metered = await("meter value of transaction " + transactionId,
                    () -> site.charger("PAX-1").flatMap(c -> c.transaction(transactionId)),
                    t -> t.latestMeterValue() != null);
            assertEquals("1500", metered.latestMeterValue().sampledValue().get(0).value());

            JsonNode stop = cp.callResult("StopTransaction", object().put("transactionId", transactionId)
                    .put("idTag", "TAG-1").put("meterStop", 2000).put("timestamp", now()));
            assertEquals("Accepted", stop.path("idTagInfo").path("status").asText());
            await("transaction " + transactionId + " closed", () -> site.charger("PAX-1"),
                    c -> c.openTransactions().isEmpty());

            // A command from the gateway, answered by the charger, comes back typed.
            CompletableFuture<ResetConfirmation> reset = commands.call("PAX-1", new ResetRequest(ResetType.Soft))
                    .toCompletableFuture();
            JsonNode call = cp.awaitCall();
            assertEquals("Reset", call.get(2).asText());
            assertEquals("Soft", call.get(3).path("type").asText());
            assertFalse("answered before the charger did", reset.isDone());
            cp.sendResult(call.get(1).asText(), object().put("status", "Accepted"));
            ResetConfirmation confirmation = reset.get(10, TimeUnit.SECONDS);
            assertEquals(ResetStatus.Accepted, confirmation.status());

            // A CALLERROR from the charger fails the call with its code.
            CompletableFuture<ResetConfirmation> refused = commands.call("PAX-1", new ResetRequest(ResetType.Hard))
                    .toCompletableFuture();
            JsonNode hard = cp.awaitCall();
            assertEquals("Hard", hard.get(3).path("type").asText());
            cp.sendError(hard.get(1).asText(), "NotSupported", "no hard reset here");
            ChargerCallException error = failure(refused);
            assertEquals(ChargerCallException.Reason.CALL_ERROR, error.reason());
            assertEquals(Optional.of("NotSupported"), error.errorCode());

            // The load balancer (on in the shipped configuration) read the charger's configuration and offered it
            // its safe TxDefaultProfile, answered NotSupported: it leaves the charger alone from then on, and the
            // session and the commands above went on regardless.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (cp.balancerCalls().size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            List<String> balancerCalls = cp.balancerCalls().stream().map(c -> c.get(2).asText()).toList();
            assertEquals(List.of("GetConfiguration", "SetChargingProfile"), balancerCalls);
            assertEquals("TxDefaultProfile", cp.balancerCalls().stream().skip(1).findFirst().orElseThrow().get(3)
                    .path("csChargingProfiles").path("chargingProfilePurpose").asText());

            assertFalse("the gateway closed the connection: " + cp.closed().getNow(null), cp.closed().isDone());
        }
        // The gateway notices the charger left.
        await("PAX-1 disconnected", () -> site.charger("PAX-1"), c -> !c.connected());
    }

    @Test
    public void callToUnknownChargerFailsAtOnce() throws Exception {
        CompletableFuture<ResetConfirmation> call = commands.call("NOBODY", new ResetRequest(ResetType.Soft))
                .toCompletableFuture();
        assertEquals(ChargerCallException.Reason.NOT_CONNECTED, failure(call).reason());
    }

    static ChargerCallException failure(CompletableFuture<?> future) throws Exception {
        try {
            Object value = future.get(15, TimeUnit.SECONDS);
            throw new AssertionError("expected a ChargerCallException, got " + value);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ChargerCallException c) {
                return c;
            }
            throw new AssertionError("expected a ChargerCallException", e.getCause());
        }
    }

    /** Polls until the value is present and matches; the site view is updated asynchronously. */
    static <T> T await(String what, Supplier<Optional<T>> value, Predicate<T> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Optional<T> last = Optional.empty();
        while (System.nanoTime() < deadline) {
            last = value.get();
            if (last.isPresent() && condition.test(last.get())) {
                return last.get();
            }
            Thread.sleep(20);
        }
        fail("timed out waiting for " + what + "; last seen: " + last.orElse(null));
        return null;
    }
}
