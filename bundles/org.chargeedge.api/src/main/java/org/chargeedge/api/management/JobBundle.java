package org.chargeedge.api.management;

/**
 * One bundle a job changes.
 *
 * @param symbolicName its symbolic name
 * @param fromVersion the version installed before the job, null when the job installs it
 * @param toVersion the version the job brings, null when the job uninstalls it
 * @param sha256 the verified SHA-256 of the new jar, null when the job uninstalls the bundle
 * @param source where it came from (URL or upload), or "uninstall"
 */
public record JobBundle(String symbolicName, String fromVersion, String toVersion, String sha256, String source) {
}
