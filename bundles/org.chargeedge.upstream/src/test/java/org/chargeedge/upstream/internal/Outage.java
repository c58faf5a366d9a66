package org.chargeedge.upstream.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay between the gateway and the CSMS that the test can cut and restore: the internet
 * going away, as the gateway sees it (connections die, new ones are refused), while the CSMS
 * keeps what it received.
 */
final class Outage implements AutoCloseable {

    private final int target;
    private final int port;
    // Sockets of the current connections, closed on cut; the accept and pump threads add to it.
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile ServerSocket server;
    /** How long what a client sends is held back before it is passed on: a slow network. */
    private volatile long delayMillis;

    Outage(int target) throws IOException {
        this.target = target;
        ServerSocket s = bind(0);
        this.port = s.getLocalPort();
        accept(s);
    }

    int port() {
        return port;
    }

    /**
     * Holds back the first bytes of each new connection from the gateway for {@code millis} (0: not
     * at all): its opening handshake (TCP connects, TLS and the WebSocket upgrade wait) takes that long.
     */
    void delayHandshakes(long millis) {
        delayMillis = millis;
    }

    private static ServerSocket bind(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return s;
    }

    private void accept(ServerSocket s) {
        server = s;
        Thread t = new Thread(() -> {
            while (!s.isClosed()) {
                Socket in;
                try {
                    in = s.accept();
                } catch (IOException e) {
                    return;
                }
                try {
                    Socket out = new Socket(InetAddress.getLoopbackAddress(), target);
                    open.add(in);
                    open.add(out);
                    pump(in, out, delayMillis);
                    pump(out, in, 0);
                } catch (IOException e) {
                    // The CSMS is not there (restarting): this connection fails, the next ones may not.
                    closeQuietly(in);
                }
            }
        }, "outage-accept");
        t.setDaemon(true);
        t.start();
    }

    private void pump(Socket from, Socket to, long delay) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                if (delay > 0) {
                    Thread.sleep(delay);
                }
                int n;
                while ((n = in.read(buf)) > 0) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // Cut.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "outage-pump");
        t.setDaemon(true);
        t.start();
    }

    /** The link goes away: connections die, new ones are refused. */
    void cut() {
        closeQuietly(server);
        open.forEach(Outage::closeQuietly);
        open.clear();
    }

    /** The link is back on the same port. */
    void restore() throws IOException {
        accept(bind(port));
    }

    @Override
    public void close() {
        cut();
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // Closing anyway.
        }
    }
}
