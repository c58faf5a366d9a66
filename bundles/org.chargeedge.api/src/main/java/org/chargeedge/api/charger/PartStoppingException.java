package org.chargeedge.api.charger;

/**
 * Completes the stage of a {@link ChargerCallHandler} whose site part is stopping (its bundle is
 * being stopped, updated or reinstalled) while it holds a call it can no longer finish. The central
 * system does not answer the charger with it: it runs the call again through the whole chain once
 * the site is ready, within the same readiness bound as any waiting call. A handler may only use it
 * when running the call a second time is harmless: it kept nothing of it, or it recognises the
 * repeat (as the store recognises a charger's resend).
 */
public final class PartStoppingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String part;

    public PartStoppingException(String part, String message, Throwable cause) {
        super(message, cause);
        this.part = part;
    }

    /** The site part that is stopping, as in {@link ChargerCallHandler#SITE_PART}. */
    public String part() {
        return part;
    }
}
