package org.chargeedge.store.internal;

import java.nio.file.Path;

import org.chargeedge.api.store.SiteStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code chargeedge:backup FILE}: a consistent copy of the store's database while chargers
 * transact ({@link SiteStore#backup}). The {@code chargeedge backup} command of the Debian package
 * calls it through the service's local shell and adds the configuration. Runs on the shell's thread.
 */
@Component(service = BackupCommand.class, property = {
        "osgi.command.scope=chargeedge",
        "osgi.command.function=backup"})
public class BackupCommand {

    private final SiteStore store;

    @Activate
    public BackupCommand(@Reference SiteStore store) {
        this.store = store;
    }

    /** Writes the copy to {@code file}, which must not exist, and says where and how large. */
    public String backup(String file) {
        long started = System.nanoTime();
        Path target = Path.of(file).toAbsolutePath();
        long size = store.backup(target);
        return "Store backed up to " + target + " (" + size + " bytes, " + (System.nanoTime() - started) / 1_000_000
                + " ms)";
    }
}
