package org.chargeedge.http.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;
import org.chargeedge.api.store.StoreHealth;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Felix health check: the store runs and writes ({@link StoreHealth}), and the
 * data directory's file system has room left (warning under
 * {@value #LOW_SPACE_MB} MiB, critical under {@value #NO_SPACE_MB} MiB).
 */
@Component(property = {HealthCheck.NAME + "=Store", HealthCheck.TAGS + "=" + HealthServlet.TAG,
        HealthCheck.TAGS + "=store"})
public class StoreCheck implements HealthCheck {

    static final long LOW_SPACE_MB = 200;
    static final long NO_SPACE_MB = 20;

    private final SiteServices site;
    private final Path dataDir;

    @Activate
    public StoreCheck(@Reference SiteServices site, BundleContext context) {
        this(site, context.getProperty(Gatekeeper.DATA_DIR_PROPERTY) == null ? null
                : Path.of(context.getProperty(Gatekeeper.DATA_DIR_PROPERTY)));
    }

    StoreCheck(SiteServices site, Path dataDir) {
        this.site = site;
        this.dataDir = dataDir;
    }

    @Override
    public Result execute() {
        StoreHealth health = site.store().map(s -> s.health()).orElse(null);
        if (health == null) {
            return new Result(Result.Status.CRITICAL, "the store is not running");
        }
        if (!health.ok()) {
            return new Result(Result.Status.CRITICAL, "the store cannot write since " + health.since() + ": "
                    + health.problem());
        }
        String size = "database " + health.sizeBytes() / (1024 * 1024) + " MiB";
        if (dataDir != null) {
            try {
                long free = Files.getFileStore(dataDir).getUsableSpace() / (1024 * 1024);
                if (free < NO_SPACE_MB) {
                    return new Result(Result.Status.CRITICAL, "only " + free + " MiB left in " + dataDir);
                }
                if (free < LOW_SPACE_MB) {
                    return new Result(Result.Status.WARN, size + "; only " + free + " MiB left in " + dataDir);
                }
                return new Result(Result.Status.OK, size + ", " + free + " MiB free");
            } catch (IOException e) {
                return new Result(Result.Status.WARN, size + "; free space of " + dataDir + " unknown: " + e);
            }
        }
        return new Result(Result.Status.OK, size);
    }
}
