package org.chargeedge.api.store;

/** A write the store could not make durable; nothing of it must be acknowledged. */
public final class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
