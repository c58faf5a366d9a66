package org.chargeedge.centralsystem.internal;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongFunction;

/**
 * A client on a plain {@link Socket} that writes every byte itself: HTTP
 * requests as given, WebSocket frames built here (masked or not, final or not,
 * any opcode and payload), so a test can send what no WebSocket library would.
 * Reads the server's HTTP answer and its (unmasked) frames. It binds to a
 * loopback address of the test's choosing (any of 127.0.0.0/8), so cases that
 * count per address do not share one. Published in this module's test jar for
 * the process-level hostile-client test.
 *
 * <p>Threads: one thread uses one socket, except {@link #close}.
 */
public final class HostileSocket implements AutoCloseable {

    public static final int CONTINUATION = 0x0;
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;
    private static final int CONNECT_TIMEOUT_MS = 5000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private long sent;

    private HostileSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** A TCP connection from {@code localAddress} (e.g. 127.0.3.1) to 127.0.0.1:{@code port}. */
    public static HostileSocket connect(String localAddress, int port) throws IOException {
        return connect(localAddress, port, 0);
    }

    /** The same with the socket's receive buffer set to {@code receiveBuffer} bytes (0: the default). */
    public static HostileSocket connect(String localAddress, int port, int receiveBuffer) throws IOException {
        Socket s = new Socket();
        try {
            if (receiveBuffer > 0) {
                s.setReceiveBufferSize(receiveBuffer);
            }
            s.bind(new InetSocketAddress(localAddress, 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), CONNECT_TIMEOUT_MS);
            s.setTcpNoDelay(true);
            return new HostileSocket(s);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** A connection whose WebSocket handshake for {@code path} succeeded (101); fails otherwise. */
    public static HostileSocket upgraded(String localAddress, int port, String path) throws IOException {
        return upgraded(localAddress, port, path, 0);
    }

    public static HostileSocket upgraded(String localAddress, int port, String path, int receiveBuffer)
            throws IOException {
        HostileSocket s = connect(localAddress, port, receiveBuffer);
        try {
            Response r = s.handshake(path);
            if (r == null || r.status() != 101) {
                throw new IOException("handshake for " + path + " answered " + r);
            }
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    // ---- HTTP -------------------------------------------------------------------------------

    /** A new random Sec-WebSocket-Key. */
    public static String key() {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        return Base64.getEncoder().encodeToString(nonce);
    }

    /** A well-formed upgrade request offering ocpp1.6, with the version and key given. */
    public static String upgradeRequest(String path, String version, String key) {
        return "GET " + path + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\n"
                + "Sec-WebSocket-Version: " + version + "\r\n"
                + "Sec-WebSocket-Protocol: ocpp1.6\r\n"
                + "\r\n";
    }

    /** Sends a well-formed upgrade request and reads the answer (null: closed without one). */
    public Response handshake(String path) throws IOException {
        write(upgradeRequest(path, "13", key()));
        return readResponse(Duration.ofSeconds(5));
    }

    /** An HTTP response's status and headers (names in lower case). */
    public record Response(int status, Map<String, String> headers) {
    }

    /** The HTTP response head, or null when the server closed before sending one. */
    public Response readResponse(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b;
            try {
                b = in.read();
            } catch (SocketTimeoutException e) {
                throw new IOException("no HTTP response within " + timeout + "; got "
                        + head.toString(StandardCharsets.ISO_8859_1), e);
            } catch (IOException e) {
                b = -1; // reset before an answer: none
            }
            if (b < 0) {
                return head.size() == 0 ? null : parse(head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : b == '\r' ? 1 : 0;
        }
        return parse(head.toString(StandardCharsets.ISO_8859_1));
    }

    private static Response parse(String head) throws IOException {
        String[] lines = head.split("\r\n");
        String[] status = lines[0].split(" ", 3);
        if (status.length < 2 || !status[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP response: " + lines[0]);
        }
        Map<String, String> headers = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
        }
        return new Response(Integer.parseInt(status[1]), headers);
    }

    // ---- writing ----------------------------------------------------------------------------

    public void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        sent += bytes.length;
    }

    public void write(String latin1) throws IOException {
        write(latin1.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Bytes written so far. */
    public long sent() {
        return sent;
    }

    /**
     * Writes {@code chunk.apply(i)} for i = 0, 1, ... until the server has sent something back, has
     * closed the connection (a write fails), or {@code cap} bytes are written; returns the bytes
     * written by then. Between chunks the server gets {@code pauseNanos} to act, so the count says
     * how much it read before it answered, not how fast this loop is.
     */
    public long sendUntilAnswered(LongFunction<byte[]> chunk, long cap, long pauseNanos) {
        try {
            for (long i = 0; sent < cap; i++) {
                write(chunk.apply(i));
                if (pauseNanos > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(pauseNanos);
                }
                if (in.available() > 0) {
                    break;
                }
            }
        } catch (IOException e) {
            // closed by the server
        }
        return sent;
    }

    /**
     * Starts a text message and goes on with continuation frames of 1 KiB, never the last, until the
     * server closes the connection or 64 MiB are sent; returns the message's bytes sent by then, and the
     * server's close frame (null: none, or still open after 64 MiB). After
     * every 16 KiB a ping, and nothing more until its pong: the server has read all before it, so the
     * count says where the server stopped reading, whatever the socket buffers hold and however busy the
     * machine is.
     */
    public EndlessMessage sendEndlessMessage() throws IOException {
        long message = 0;
        byte[] start = "[2,\"endless\",\"DataTransfer\",{\"vendorId\":\"v\",\"data\":\""
                .getBytes(StandardCharsets.US_ASCII);
        byte[] data = "x".repeat(1024).getBytes(StandardCharsets.US_ASCII);
        byte[] continuations = new byte[0];
        for (int i = 0; i < 16; i++) {
            continuations = concat(continuations, frame(CONTINUATION, false, data, true));
        }
        byte[] ping = frame(PING, true, new byte[0], true);
        try {
            sendFrame(TEXT, false, start);
            message += start.length;
            while (message < 64L * 1024 * 1024) {
                write(continuations);
                message += 16 * data.length;
                write(ping);
                Frame f;
                do {
                    f = readFrame(Duration.ofSeconds(10));
                } while (f != null && f.opcode() != PONG && f.opcode() != CLOSE);
                if (f == null || f.opcode() == CLOSE) {
                    return new EndlessMessage(message, f);
                }
            }
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            // closed by the server
        }
        return new EndlessMessage(message, null);
    }

    /** What {@link #sendEndlessMessage} sent, and the close frame it got. */
    public record EndlessMessage(long sent, Frame close) {
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** A WebSocket frame as a client sends it, masked with a random key unless {@code masked} is false. */
    public static byte[] frame(int opcode, boolean fin, byte[] payload, boolean masked) {
        ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
        f.write((fin ? 0x80 : 0) | opcode);
        int maskBit = masked ? 0x80 : 0;
        if (payload.length < 126) {
            f.write(maskBit | payload.length);
        } else if (payload.length < 65536) {
            f.write(maskBit | 126);
            f.write(payload.length >>> 8);
            f.write(payload.length & 0xff);
        } else {
            f.write(maskBit | 127);
            long n = payload.length;
            for (int shift = 56; shift >= 0; shift -= 8) {
                f.write((int) (n >>> shift) & 0xff);
            }
        }
        if (!masked) {
            f.writeBytes(payload);
            return f.toByteArray();
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        f.writeBytes(mask);
        byte[] body = new byte[payload.length];
        for (int i = 0; i < payload.length; i++) {
            body[i] = (byte) (payload[i] ^ mask[i & 3]);
        }
        f.writeBytes(body);
        return f.toByteArray();
    }

    /** The payload of a close frame: the status code, then the reason's bytes as given. */
    public static byte[] closePayload(int code, byte[] reason) {
        byte[] p = new byte[2 + reason.length];
        p[0] = (byte) (code >>> 8);
        p[1] = (byte) code;
        System.arraycopy(reason, 0, p, 2, reason.length);
        return p;
    }

    public void sendFrame(int opcode, boolean fin, byte[] payload) throws IOException {
        write(frame(opcode, fin, payload, true));
    }

    public void sendText(String text) throws IOException {
        sendFrame(TEXT, true, text.getBytes(StandardCharsets.UTF_8));
    }

    // ---- reading ----------------------------------------------------------------------------

    /** A frame from the server. */
    public record Frame(int opcode, boolean fin, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The status code of a close frame; 1005 when it has none. */
        public int closeCode() {
            return payload.length < 2 ? 1005 : ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
        }
    }

    /** The next frame; null when the server closed the connection first. Fails after {@code timeout}. */
    public Frame readFrame(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        try {
            int b0 = in.read();
            if (b0 < 0) {
                return null;
            }
            int b1 = readByte();
            long length = b1 & 0x7f;
            if (length == 126) {
                length = ((long) readByte() << 8) | readByte();
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | readByte();
                }
            }
            if ((b1 & 0x80) != 0) {
                throw new IOException("the server sent a masked frame");
            }
            if (length > Integer.MAX_VALUE - 8) {
                throw new IOException("frame of " + length + " bytes");
            }
            byte[] payload = in.readNBytes((int) length);
            if (payload.length < length) {
                return null;
            }
            return new Frame(b0 & 0x0f, (b0 & 0x80) != 0, payload);
        } catch (EOFException e) {
            return null;
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            return null; // reset by the server
        }
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException();
        }
        return b;
    }

    /**
     * Reads frames until the server's close frame, which is returned, or the end of the
     * connection (null); fails after {@code timeout}.
     */
    public Frame awaitClose(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            Frame f = readFrame(Duration.ofMillis(left));
            if (f == null || f.opcode() == CLOSE) {
                return f;
            }
        }
    }

    /**
     * Whether the server ended the connection (end of stream or reset) within {@code timeout};
     * whatever it sends meanwhile is read and dropped.
     */
    public boolean closedWithin(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] buffer = new byte[8192];
        try {
            while (true) {
                // At least one read, however short the timeout: a socket already closed says so at once.
                socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                if (in.read(buffer) < 0) {
                    return true;
                }
                if (System.nanoTime() > deadline) {
                    return false;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** Whether something from the server waits to be read. */
    public boolean answered() throws IOException {
        return in.available() > 0;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing
        }
    }
}
