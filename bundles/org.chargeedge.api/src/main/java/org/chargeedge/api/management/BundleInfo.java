package org.chargeedge.api.management;

/**
 * One installed bundle.
 *
 * @param id the framework's bundle id
 * @param symbolicName its symbolic name
 * @param version its version, qualifier included
 * @param state INSTALLED, RESOLVED, STARTING, STOPPING, ACTIVE or UNINSTALLED
 * @param fragment whether it is a fragment (never started)
 * @param distribution whether it came with the gateway's distribution (false:
 *        installed at run time by a job)
 */
public record BundleInfo(long id, String symbolicName, String version, String state, boolean fragment,
        boolean distribution) {
}
