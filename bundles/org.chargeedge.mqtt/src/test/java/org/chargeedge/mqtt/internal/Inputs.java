package org.chargeedge.mqtt.internal;

import java.util.HashMap;
import java.util.Map;

/** Input settings as a configuration file would give them: key, value, key, value... */
final class Inputs {

    private Inputs() {
    }

    static InputSettings settings(String name, String... keyValues) {
        Map<String, Object> p = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.put(keyValues[i], keyValues[i + 1]);
        }
        return InputSettings.from(name, p);
    }
}
