package org.chargeedge.systemd.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;

/**
 * A Unix domain datagram socket (Linux), which the JDK does not offer: its Unix domain channels are
 * stream only. The C library is called through JNA. An address is a file system path, or an
 * abstract name written with a leading {@code @}, as systemd writes {@code NOTIFY_SOCKET}.
 *
 * <p>Not thread-safe: one thread at a time uses an instance ({@link NotifySocket} synchronizes).
 */
final class UnixDatagram implements AutoCloseable {

    /** The C library's socket calls; errors come back as {@link LastErrorException} with errno. */
    interface CLibrary extends Library {
        int socket(int domain, int type, int protocol) throws LastErrorException;

        int bind(int fd, byte[] address, int length) throws LastErrorException;

        NativeLong sendto(int fd, byte[] data, NativeLong length, int flags, byte[] address, int addressLength)
                throws LastErrorException;

        NativeLong recv(int fd, byte[] buffer, NativeLong length, int flags) throws LastErrorException;

        int setsockopt(int fd, int level, int name, byte[] value, int length) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    // Linux values, the same on x86-64 and ARM64.
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;
    private static final int EAGAIN = 11;
    private static final int PATH_MAX = 108;

    private static volatile CLibrary libc;

    private final int fd;
    private boolean closed;

    private UnixDatagram(int fd) {
        this.fd = fd;
    }

    private static CLibrary libc() {
        CLibrary c = libc;
        if (c == null) {
            c = Native.load("c", CLibrary.class);
            libc = c;
        }
        return c;
    }

    /** An unbound socket, for sending. */
    static UnixDatagram open() throws IOException {
        try {
            return new UnixDatagram(libc().socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        } catch (LastErrorException e) {
            throw new IOException("cannot open a Unix datagram socket: errno " + e.getErrorCode(), e);
        }
    }

    /** A socket bound to {@code address}, for receiving (a stand-in for systemd in tests). */
    static UnixDatagram bind(String address) throws IOException {
        UnixDatagram socket = open();
        byte[] sockaddr = sockaddr(address);
        try {
            libc().bind(socket.fd, sockaddr, sockaddr.length);
            return socket;
        } catch (LastErrorException e) {
            socket.close();
            throw new IOException("cannot bind " + address + ": errno " + e.getErrorCode(), e);
        }
    }

    /** Sends one datagram to {@code address}. */
    void send(String address, byte[] data) throws IOException {
        byte[] sockaddr = sockaddr(address);
        try {
            libc().sendto(fd, data, new NativeLong(data.length), MSG_NOSIGNAL, sockaddr, sockaddr.length);
        } catch (LastErrorException e) {
            throw new IOException("cannot send to " + address + ": errno " + e.getErrorCode(), e);
        }
    }

    /** The next datagram, or null when none came within {@code timeout}. */
    byte[] receive(Duration timeout) throws IOException {
        ByteBuffer timeval = ByteBuffer.allocate(2 * Native.LONG_SIZE).order(ByteOrder.nativeOrder());
        long micros = Math.max(1, timeout.toNanos() / 1_000);
        putLong(timeval, micros / 1_000_000);
        putLong(timeval, micros % 1_000_000);
        byte[] buffer = new byte[4096];
        try {
            libc().setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeval.array(), timeval.capacity());
            long n = libc().recv(fd, buffer, new NativeLong(buffer.length), 0).longValue();
            return Arrays.copyOf(buffer, (int) n);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == EAGAIN) {
                return null;
            }
            throw new IOException("cannot receive: errno " + e.getErrorCode(), e);
        }
    }

    private static void putLong(ByteBuffer buffer, long value) {
        if (Native.LONG_SIZE == 8) {
            buffer.putLong(value);
        } else {
            buffer.putInt((int) value);
        }
    }

    /** {@code struct sockaddr_un} for a path, or for an abstract name given as {@code @name}. */
    static byte[] sockaddr(String address) {
        if (address == null || address.isEmpty()) {
            throw new IllegalArgumentException("no socket address");
        }
        byte[] name = address.getBytes(StandardCharsets.UTF_8);
        boolean abstractName = name[0] == '@';
        // A path ends with a NUL; an abstract name is a NUL and the name's bytes, counted exactly.
        int length = abstractName ? name.length : name.length + 1;
        if (length > PATH_MAX) {
            throw new IllegalArgumentException("socket address longer than " + PATH_MAX + " bytes: " + address);
        }
        ByteBuffer sockaddr = ByteBuffer.allocate(2 + length).order(ByteOrder.nativeOrder());
        sockaddr.putShort((short) AF_UNIX);
        sockaddr.put(name);
        byte[] bytes = sockaddr.array();
        if (abstractName) {
            bytes[2] = 0;
        }
        return bytes;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                libc().close(fd);
            } catch (LastErrorException e) {
                // Nothing is left to do with a socket that does not close.
            }
        }
    }
}
