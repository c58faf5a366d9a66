package org.chargeedge.ocpp.rpc;

/** The call was refused at once: as many calls as allowed already wait behind the one in flight. */
public final class CallQueueFullException extends CallFailedException {
    private static final long serialVersionUID = 1L;

    private final int limit;

    public CallQueueFullException(String messageId, String action, int limit) {
        super(messageId, action, action + " refused: " + limit + " calls already wait to be sent", null);
        this.limit = limit;
    }

    /** How many calls may wait behind the one in flight. */
    public int limit() {
        return limit;
    }
}
