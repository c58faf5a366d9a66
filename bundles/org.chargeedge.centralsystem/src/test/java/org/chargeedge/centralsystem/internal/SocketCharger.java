package org.chargeedge.centralsystem.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A charger written against the bare sockets of the JDK: a {@link Socket} or
 * an {@link SSLSocket}, the WebSocket upgrade written and read by hand
 * (RFC 6455 4.1, the Sec-WebSocket-Accept checked), and masked text frames.
 * No WebSocket library is involved, so it shows what goes over the wire: the
 * HTTP status of a refused handshake, the certificate the gateway presents,
 * a TLS failure as the JDK's client sees it. It answers no ping unless asked
 * to read, so an abandoned one looks like a charger whose power went off.
 */
final class SocketCharger implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(5);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    final Socket socket;
    /** The HTTP status of the upgrade: 101 when the WebSocket is open. */
    final int status;
    private final InputStream in;
    private final OutputStream out;

    private SocketCharger(Socket socket, int status) throws IOException {
        this.socket = socket;
        this.status = status;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** A TCP connection to the gateway's port on 127.0.0.1 from {@code local} (another loopback address). */
    static Socket plain(InetAddress local, int port) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(local, 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port), (int) WAIT.toMillis());
        socket.setSoTimeout((int) WAIT.toMillis());
        return socket;
    }

    /**
     * A TLS connection to the gateway's wss:// port, the handshake done, the server's name checked as an
     * HTTPS client checks it; throws the JDK's exception when the handshake fails.
     */
    static SSLSocket tls(SSLContext context, int port, String... protocols) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), (int) WAIT.toMillis());
        socket.setSoTimeout((int) WAIT.toMillis());
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        parameters.setServerNames(List.of(new SNIHostName("localhost")));
        if (protocols.length > 0) {
            parameters.setProtocols(protocols);
        }
        socket.setSSLParameters(parameters);
        try {
            socket.startHandshake();
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        return socket;
    }

    /** The gateway's certificate on a TLS connection. */
    static X509Certificate serverCertificate(SSLSocket socket) throws IOException {
        return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }

    /**
     * Sends the upgrade request for {@code chargePointId} on {@code socket} (with {@code authorization}
     * as the Authorization header, null: none) and reads the answer's head.
     */
    static SocketCharger upgrade(Socket socket, String chargePointId, String authorization) throws IOException {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        String key = Base64.getEncoder().encodeToString(nonce);
        StringBuilder request = new StringBuilder()
                .append("GET /ocpp/").append(chargePointId).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1:").append(socket.getPort()).append("\r\n")
                .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                .append("Sec-WebSocket-Key: ").append(key).append("\r\n")
                .append("Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ocpp1.6\r\n");
        if (authorization != null) {
            request.append("Authorization: ").append(authorization).append("\r\n");
        }
        request.append("\r\n");
        OutputStream out = socket.getOutputStream();
        out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String head = readHead(socket.getInputStream());
        String[] lines = head.split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        if (status == 101) {
            String accept = null;
            for (String line : lines) {
                if (line.regionMatches(true, 0, "Sec-WebSocket-Accept:", 0, 21)) {
                    accept = line.substring(21).trim();
                }
            }
            assertThat(accept).as("Sec-WebSocket-Accept of %s", head).isEqualTo(acceptFor(key));
            assertThat(head).as("subprotocol").containsIgnoringCase("Sec-WebSocket-Protocol: ocpp1.6");
        }
        return new SocketCharger(socket, status);
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed in the HTTP answer after '" + head + "'");
            }
            head.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    private static String acceptFor(String key) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                    .digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends one masked text frame. */
    void sendText(String text) throws IOException {
        writeFrame(0x1, text.getBytes(StandardCharsets.UTF_8));
    }

    private synchronized void writeFrame(int opcode, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x80 | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xff);
        }
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    /** The next text message from the gateway (pings answered on the way), or null when it closes. */
    String nextText() throws IOException {
        DataInputStream data = new DataInputStream(in);
        while (true) {
            int b0 = data.readUnsignedByte();
            int b1 = data.readUnsignedByte();
            long length = b1 & 0x7f;
            if (length == 126) {
                length = data.readUnsignedShort();
            } else if (length == 127) {
                length = data.readLong();
            }
            assertThat(b1 & 0x80).as("the server masks no frame").isZero();
            byte[] payload = new byte[(int) length];
            data.readFully(payload);
            switch (b0 & 0x0f) {
                case 0x1:
                    assertThat(b0 & 0x80).as("a whole message in one frame").isNotZero();
                    return new String(payload, StandardCharsets.UTF_8);
                case 0x8:
                    return null;
                case 0x9:
                    writeFrame(0xA, payload);
                    break;
                default:
                    break;
            }
        }
    }

    /** Sends a Heartbeat CALL and returns the gateway's answer frame. */
    String heartbeat() throws IOException {
        String id = "hb-" + RANDOM.nextInt(1_000_000);
        sendText("[2,\"" + id + "\",\"Heartbeat\",{}]");
        String answer = nextText();
        com.fasterxml.jackson.databind.JsonNode frame = RawCharger.JSON.readTree(answer);
        assertThat(frame.get(0).asInt()).as("Heartbeat answer %s", answer).isEqualTo(3);
        assertThat(frame.get(1).asText()).isEqualTo(id);
        assertThat(frame.get(2).get("currentTime").asText()).isNotEmpty();
        return answer;
    }

    /** Whether the gateway closed the connection (end of stream) within {@code timeout}. */
    boolean closedWithin(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        try {
            while (in.read() >= 0) {
                // the close frame and anything before it
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    // ---- a TLS 1.1 client, written by hand -------------------------------------------------

    /**
     * A ClientHello offering TLS 1.1 only (legacy version 3.2, no supported_versions extension) with
     * TLS 1.1's cipher suites: what an old charger's TLS stack sends. Today's JDK refuses to send one.
     */
    static byte[] tls11ClientHello() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(3);
        body.write(2); // client_version TLS 1.1
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        body.writeBytes(random);
        body.write(0); // no session id
        int[] suites = {0xC013, 0xC014, 0xC009, 0xC00A, 0x002F, 0x0035};
        body.write(0);
        body.write(suites.length * 2);
        for (int s : suites) {
            body.write(s >>> 8);
            body.write(s & 0xff);
        }
        body.write(1);
        body.write(0); // compression: null only
        byte[] hello = body.toByteArray();
        ByteArrayOutputStream record = new ByteArrayOutputStream();
        record.write(0x16);
        record.write(3);
        record.write(2);
        int handshakeLength = hello.length + 4;
        record.write(handshakeLength >>> 8);
        record.write(handshakeLength & 0xff);
        record.write(1); // ClientHello
        record.write(0);
        record.write(hello.length >>> 8);
        record.write(hello.length & 0xff);
        record.writeBytes(hello);
        return record.toByteArray();
    }

    /**
     * Reads the first TLS record the server sends on {@code socket}: its content type and, for an alert,
     * the alert's level and description; {@code {-1}} when the server closed without a record.
     */
    static int[] firstRecord(Socket socket) throws IOException {
        DataInputStream data = new DataInputStream(socket.getInputStream());
        int type;
        try {
            type = data.readUnsignedByte();
        } catch (EOFException e) {
            return new int[] {-1};
        }
        data.readUnsignedShort(); // version
        int length = data.readUnsignedShort();
        byte[] fragment = new byte[length];
        data.readFully(fragment);
        return type == 21 && length >= 2 ? new int[] {type, fragment[0], fragment[1]} : new int[] {type};
    }
}
