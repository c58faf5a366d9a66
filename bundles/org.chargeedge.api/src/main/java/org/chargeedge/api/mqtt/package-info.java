/**
 * The gateway's MQTT connection and energy inputs as an operator needs to see
 * them: {@link org.chargeedge.api.mqtt.MqttStatus}, read only.
 */
@Export
@Version("1.0.0")
package org.chargeedge.api.mqtt;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
