package org.chargeedge.api.store;

import java.time.Instant;

/**
 * Whether the store keeps what it is given.
 *
 * @param ok false while writes fail (disk full, I/O errors)
 * @param problem what fails, null when ok
 * @param since when the current state began
 * @param sizeBytes size of the database files on disk
 */
public record StoreHealth(boolean ok, String problem, Instant since, long sizeBytes) {
}
