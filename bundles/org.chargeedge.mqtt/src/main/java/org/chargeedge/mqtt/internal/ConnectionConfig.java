package org.chargeedge.mqtt.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Documented, with examples, in docs/configuration.md; keep both in step. */
@ObjectClassDefinition(id = BrokerConnection.PID, name = "ChargeEdge MQTT broker connection",
        description = "The broker the gateway reads energy inputs from and publishes the site state to")
@interface ConnectionConfig {

    @AttributeDefinition(description = "Broker URL, tcp://host:1883 or ssl://host:8883; wins over host/port/tls "
            + "(environment: CHARGEEDGE_MQTT_URL). Empty with an empty host: no broker, the bundle stays idle")
    String url() default "";

    @AttributeDefinition(description = "Broker host name or address (when url is empty)")
    String host() default "";

    @AttributeDefinition(description = "Broker port; 0 for 1883, or 8883 with TLS", min = "0", max = "65535")
    int port() default 0;

    @AttributeDefinition(description = "Connect with TLS (trust store of the JVM, plus tlsCaFile)")
    boolean tls() default false;

    @AttributeDefinition(description = "ssl:// only: PEM file with the CA certificate(s) of a private broker, "
            + "trusted in addition to the JVM's trust store; empty for none")
    String tlsCaFile() default "";

    @AttributeDefinition(description = "ssl:// only: PEM file with a client certificate (then its intermediates); "
            + "empty for none")
    String tlsCertFile() default "";

    @AttributeDefinition(description = "ssl:// only: PEM file with the client certificate's unencrypted private key "
            + "(BEGIN PRIVATE KEY, BEGIN RSA PRIVATE KEY or BEGIN EC PRIVATE KEY)")
    String tlsKeyFile() default "";

    @AttributeDefinition(description = "User name; empty for none")
    String username() default "";

    @AttributeDefinition(description = "Password", type = AttributeType.PASSWORD)
    String password() default "";

    @AttributeDefinition(description = "MQTT client id; empty for chargeedge-RANDOM (a persistent session needs a fixed id)")
    String clientId() default "";

    @AttributeDefinition(description = "Clean session (true) or a persistent one the broker keeps across reconnects")
    boolean cleanSession() default true;

    @AttributeDefinition(description = "Prefix of every topic the gateway publishes and listens to for commands")
    String baseTopic() default "chargeedge";

    @AttributeDefinition(description = "MQTT keepalive, seconds", min = "5")
    int keepAlive() default 30;

    @AttributeDefinition(description = "Seconds to wait for the broker's answer to a connect", min = "1")
    int connectTimeout() default 10;

    @AttributeDefinition(description = "First reconnect delay, milliseconds; doubles up to maxBackoffSeconds", min = "10")
    int minBackoffMillis() default 1000;

    @AttributeDefinition(description = "Longest reconnect delay, seconds", min = "1")
    int maxBackoffSeconds() default 60;
}
