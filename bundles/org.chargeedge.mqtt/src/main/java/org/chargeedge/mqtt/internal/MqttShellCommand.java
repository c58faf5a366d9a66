package org.chargeedge.mqtt.internal;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.apache.felix.service.command.Descriptor;
import org.chargeedge.api.energy.EnergySnapshot;
import org.chargeedge.api.energy.MeasurementKey;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code chargeedge:mqtt}: the broker connection, each input's counters and the energy model now. */
@Component(service = MqttShellCommand.class, property = {
        "osgi.command.scope=chargeedge",
        "osgi.command.function=mqtt"})
public class MqttShellCommand {

    private final MqttStatusService status;

    @Activate
    public MqttShellCommand(@Reference MqttStatusService status) {
        this.status = status;
    }

    @Descriptor("show the MQTT connection, the energy inputs and the site's energy values")
    public String mqtt() {
        StringBuilder out = new StringBuilder();
        BrokerConnection.State s = status.brokerState();
        if (s == null) {
            out.append("MQTT: not configured (no ").append(BrokerConnection.PID).append(" configuration)\n");
        } else {
            if (s.serverUri() == null) {
                out.append("MQTT: no broker configured\n");
            } else {
                out.append("Broker           ").append(MqttStatusService.withoutCredentials(s.serverUri()))
                        .append(s.connected() ? " connected since " + s.since()
                                : " NOT connected (" + s.failedAttempts() + " failed attempts)").append('\n');
                out.append("Last error       ").append(s.lastError() == null ? "-" : s.lastError() + " at "
                        + s.lastErrorAt()).append('\n');
                out.append("Messages         ").append(s.received()).append(" received, ").append(s.published())
                        .append(" published, ").append(s.dropped()).append(" dropped\n");
                out.append("Subscriptions    ").append(s.subscriptions()).append('\n');
            }
        }
        for (MqttInput i : status.inputs()) {
            out.append("Input ").append(i.describe()).append('\n');
        }
        PriceInput prices = status.prices();
        if (prices != null) {
            out.append("Prices ").append(prices.describe()).append('\n');
        }
        EnergySnapshot snap = status.energySnapshot();
        if (snap != null) {
            Map<String, String> sorted = new TreeMap<>();
            snap.measurements().forEach((k, m) -> sorted.put(k.toString(), String.format(Locale.ROOT, "%.1f %s  (%s, %s)",
                    m.value(), k.quantity().unit(), m.source(), m.measuredAt())));
            // held but not usable: shown so an installer sees why the balancer treats them as unknown
            Map<MeasurementKey, String> why = MqttStatusService.unknownValues(snap);
            snap.withheld().forEach((k, m) -> sorted.put(k.toString(), String.format(Locale.ROOT,
                    "unknown: %s (last %.1f %s from %s)", why.get(k), m.value(), k.quantity().unit(), m.source())));
            out.append("Energy model     ").append(sorted.isEmpty() ? "no fresh values" : "").append('\n');
            sorted.forEach((k, v) -> out.append(String.format(Locale.ROOT, "  %-24s %s%n", k, v)));
        }
        return out.toString();
    }
}
