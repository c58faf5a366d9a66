package org.chargeedge.management.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "ChargeEdge remote management",
        description = "Update jobs, health checks before commit, and the fleet release channel.")
@interface ManagementConfig {

    @AttributeDefinition(description = "Seconds an applied job waits for the gateway to be healthy before it rolls"
            + " back.", min = "1")
    int healthTimeoutSeconds() default 120;

    @AttributeDefinition(description = "Milliseconds between two health checks while a job waits.", min = "10")
    int healthIntervalMillis() default 1000;

    @AttributeDefinition(description = "Seconds each health source may take per check (the OCPP probe per port).",
            min = "1")
    int probeTimeoutSeconds() default 5;

    @AttributeDefinition(description = "Seconds to connect to a download server, and the longest a download may"
            + " stall.", min = "1")
    int connectTimeoutSeconds() default 20;

    @AttributeDefinition(description = "Seconds a whole bundle download may take.", min = "1")
    int downloadTimeoutSeconds() default 600;

    @AttributeDefinition(description = "Largest bundle a job downloads or accepts, in MiB.", min = "1")
    int maxBundleMegabytes() default 64;

    @AttributeDefinition(description = "PEM file with the certificate every bundle a job installs must be signed"
            + " with (jarsigner), or by a certificate it issued; a relative path is taken from the configuration"
            + " directory. Empty: signatures are not checked (the SHA-256 given with each request still is).")
    String trustedSignerCertificateFile() default "";

    @AttributeDefinition(description = "Felix Health Checks tags that must be OK before a job commits (empty: every"
            + " registered check). Ignored when Felix Health Checks do not run.")
    String[] healthCheckTags() default {};

    @AttributeDefinition(description = "URL of the release channel's signed descriptor (https://...); empty: no"
            + " fleet updates.")
    String channelUrl() default "";

    @AttributeDefinition(description = "The channel this gateway follows (stable, pilot, ...): a descriptor of"
            + " another channel is refused.")
    String channelName() default "stable";

    @AttributeDefinition(description = "PEM file with the public key (EC P-256) releases are signed with; a"
            + " relative path is taken from the configuration directory.")
    String channelPublicKeyFile() default "release-key.pub.pem";

    @AttributeDefinition(description = "Minutes between two polls of the release channel.", min = "1")
    int channelPollMinutes() default 60;
}
