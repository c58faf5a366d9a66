package org.chargeedge.mqtt.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.chargeedge.api.energy.Measurement;
import org.chargeedge.api.energy.MeasurementKey;
import org.chargeedge.api.energy.MeasurementSink;

/** Keeps every call, for tests that look at what an engine wrote rather than what the model kept. */
final class RecordingSink implements MeasurementSink {

    final List<Object> calls = new CopyOnWriteArrayList<>();
    /** Latest per key; null value = unknown. Tests read while the client thread writes. */
    final Map<MeasurementKey, Double> latest = new ConcurrentHashMap<>();
    final Map<MeasurementKey, Boolean> unknownKeys = new ConcurrentHashMap<>();

    @Override
    public void accept(Measurement m) {
        calls.add(m);
        latest.put(m.key(), m.value());
        unknownKeys.remove(m.key());
    }

    @Override
    public void unknown(MeasurementKey key, String source) {
        calls.add(key);
        latest.remove(key);
        unknownKeys.put(key, true);
    }
}
