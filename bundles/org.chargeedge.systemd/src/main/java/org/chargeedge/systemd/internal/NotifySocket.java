package org.chargeedge.systemd.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service manager's notification socket ({@code sd_notify(3)}): each message is one datagram
 * of {@code KEY=VALUE} lines to the address in {@code NOTIFY_SOCKET}. Used by the watchdog thread
 * and, for {@code STOPPING=1}, by the thread that stops the framework: {@link #send} is synchronized.
 */
class NotifySocket implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NotifySocket.class);

    private final String address;
    // Guarded by this.
    private UnixDatagram socket;
    private boolean failing;
    private boolean closed;

    NotifySocket(String address) {
        this.address = address;
    }

    String address() {
        return address;
    }

    /** Sends {@code message}; false (logged once until a send works again) when it cannot. */
    synchronized boolean send(String message) {
        if (closed) {
            return false;
        }
        try {
            if (socket == null) {
                socket = UnixDatagram.open();
            }
            socket.send(address, message.getBytes(StandardCharsets.UTF_8));
            if (failing) {
                failing = false;
                LOG.info("systemd's notification socket {} takes messages again", address);
            }
            return true;
        } catch (IOException | RuntimeException | LinkageError e) {
            if (!failing) {
                failing = true;
                LOG.warn("Cannot tell systemd '{}' through NOTIFY_SOCKET {}: {}", message.replace('\n', ' '), address,
                        e.toString());
            }
            return false;
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (socket != null) {
            socket.close();
            socket = null;
        }
    }
}
