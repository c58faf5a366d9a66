package org.chargeedge.management.internal;

import java.time.Duration;

/**
 * Something that can tell whether the gateway works, asked by a job before it
 * commits. Registered as a service inside this bundle, so a source that
 * depends on an optional package (Felix Health Checks) is simply absent when
 * that package is.
 */
public interface HealthSource {

    /**
     * Blocks for at most about {@code timeout}; called from the job thread only.
     *
     * @return null when healthy, else what is wrong in an operator's words
     */
    String problem(Duration timeout);
}
