package org.chargeedge.upstream.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.chargeedge.api.store.SiteStore;
import org.chargeedge.api.upstream.UpstreamStatus;
import org.junit.jupiter.api.Test;

import eu.chargetime.ocpp.model.core.BootNotificationConfirmation;
import eu.chargetime.ocpp.model.core.MeterValuesRequest;
import eu.chargetime.ocpp.model.core.StartTransactionConfirmation;
import eu.chargetime.ocpp.model.core.StopTransactionRequest;

/**
 * A charger's BootNotification reaches the CSMS before anything else of it, however the charger's
 * boot and its link's opening interleave. Each round is a new charger (a new charge point id, so a
 * new link) that connects and at once boots, authorizes, starts, sends meter values and stops,
 * without waiting for its link; the CSMS must see the boot first, and each transaction message
 * once, under the CSMS's transaction id.
 *
 * <p>The rounds take turns through five orders:
 * <ol>
 * <li>the boot is the charger's first call and makes the link (as when the connection event comes
 * late): the boot is answered locally while the link's handshake has only begun, and the link
 * announces it once open;</li>
 * <li>the connection event makes the link and the boot follows at once: the boot races the
 * handshake (on loopback it mostly arrives before the link opens);</li>
 * <li>the same with the handshake held back by the network (the relay delays it 150 ms): the boot
 * and the calls after it come while the link is still handshaking;</li>
 * <li>the charger boots just after its link opened, when the link knew no boot of it to announce:
 * the charger's own boot is the first message the CSMS gets;</li>
 * <li>the same, with the store slow to return the link's read of the charger's last boot (30 ms
 * after its snapshot, a busy disk): the boot comes while the link, which has begun its
 * announcement, is still looking for a boot to announce.</li>
 * </ol>
 * Which way the boot went is seen in its answer: the CSMS's (its heartbeat interval) when the
 * charger's boot went to the CSMS as it came, the gateway's when it was answered locally and
 * announced later. Both must have happened.
 */
class BootFirstTest extends LinkTestBase {

    private static final int ROUNDS = 35;

    private enum Order {
        BOOT_MAKES_THE_LINK, BOOT_RACES_THE_HANDSHAKE, BOOT_DURING_A_SLOW_HANDSHAKE, BOOT_JUST_AFTER_THE_LINK_OPENED,
        BOOT_WHILE_THE_LINK_LOOKS_FOR_ONE
    }

    /** How long the links' reads of a charger's last boot take after their snapshot; 0: as the store is. */
    private volatile long slowBootReads;

    /** The store, its last-boot reads slowed down while {@link #slowBootReads} is set. */
    @Override
    SiteStore linkStore() {
        return (SiteStore) Proxy.newProxyInstance(SiteStore.class.getClassLoader(), new Class<?>[] {SiteStore.class},
                (proxy, method, args) -> {
                    Object result;
                    try {
                        result = method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    long pause = slowBootReads;
                    if (pause > 0 && method.getName().equals("lastBoot")) {
                        Thread.sleep(pause);
                    }
                    return result;
                });
    }

    @Test
    void theChargersBootReachesTheCsmsBeforeAnythingElseOfIt() throws Exception {
        List<TestCharger> chargers = new ArrayList<>();
        Map<Order, int[]> answeredBy = new EnumMap<>(Order.class);
        int csmsAnswered = 0;
        int gatewayAnswered = 0;
        try {
            for (int round = 0; round < ROUNDS; round++) {
                String id = "BOOT-" + round;
                Order order = Order.values()[round % Order.values().length];
                relay.delayHandshakes(order == Order.BOOT_DURING_A_SLOW_HANDSHAKE ? 150 : 0);
                slowBootReads = order == Order.BOOT_WHILE_THE_LINK_LOOKS_FOR_ONE ? 30 : 0;

                TestCharger c = TestCharger.connect(centralSystem.port(), id);
                chargers.add(c);
                switch (order) {
                    case BOOT_MAKES_THE_LINK -> { }
                    case BOOT_RACES_THE_HANDSHAKE, BOOT_DURING_A_SLOW_HANDSHAKE -> links.connected(id);
                    case BOOT_JUST_AFTER_THE_LINK_OPENED, BOOT_WHILE_THE_LINK_LOOKS_FOR_ONE -> {
                        links.connected(id);
                        await(id + "'s link open", () -> links.link(id).map(UpstreamStatus.Link::connected)
                                .orElse(false));
                    }
                }
                BootNotificationConfirmation boot = c.send(c.core.createBootNotificationRequest("V", "M"));
                c.send(c.core.createAuthorizeRequest("TAG-" + round));
                StartTransactionConfirmation started = c.send(c.core.createStartTransactionRequest(1, "TAG-" + round,
                        1000, at(0)));
                int tx = started.getTransactionId();
                MeterValuesRequest mv = c.core.createMeterValuesRequest(1, at(1), "1500");
                mv.setTransactionId(tx);
                c.send(mv);
                c.send(c.core.createStopTransactionRequest(2000, at(2), tx));

                boolean byCsms = boot.getInterval() == Csms.BOOT_INTERVAL;
                if (byCsms) {
                    csmsAnswered++;
                } else {
                    gatewayAnswered++;
                }
                answeredBy.computeIfAbsent(order, o -> new int[2])[byCsms ? 0 : 1]++;

                await("the stop of " + id + " at the CSMS", () -> csms.of(id, StopTransactionRequest.class).size() == 1);
                assertThat(csms.actions(id)).as("what the CSMS got from %s (%s; the boot answered by the %s)", id,
                        order, byCsms ? "CSMS" : "gateway").first().isEqualTo("BootNotification");
            }
            Thread.sleep(300); // anything sent twice would arrive now

            List<Integer> csmsIds = new ArrayList<>();
            for (int round = 0; round < ROUNDS; round++) {
                String id = "BOOT-" + round;
                List<String> actions = csms.actions(id);
                assertThat(actions).as(id).first().isEqualTo("BootNotification");
                assertThat(actions.stream().filter(a -> !a.equals("BootNotification") && !a.equals("Authorize")))
                        .as(id + ": each transaction message once, in order")
                        .containsExactly("StartTransaction", "MeterValues", "StopTransaction");
                int csmsId = csms.of(id, StopTransactionRequest.class).get(0).getTransactionId();
                assertThat(csms.of(id, MeterValuesRequest.class).get(0).getTransactionId()).as(id).isEqualTo(csmsId);
                csmsIds.add(csmsId);
            }
            assertThat(csmsIds).as("each under its own CSMS transaction id").doesNotHaveDuplicates()
                    .allSatisfy(i -> assertThat(i).isGreaterThanOrEqualTo(Csms.FIRST_ID));
            System.out.println("BootFirstTest: boots answered by the CSMS / by the gateway, per order: "
                    + answeredBy.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()[0] + "/"
                            + e.getValue()[1]).toList());
            assertThat(csmsAnswered).as("rounds where the charger's boot went to the CSMS as it came").isPositive();
            assertThat(gatewayAnswered).as("rounds where the boot was answered locally and announced later")
                    .isPositive();
        } finally {
            chargers.forEach(TestCharger::close);
        }
    }
}
