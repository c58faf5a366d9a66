package org.chargeedge.systemd.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The other end of {@link ShellSocket}, run as a plain Java program by {@code chargeedge shell}
 * and {@code chargeedge backup} of the Debian package (it uses nothing but the JDK):
 *
 * <pre>
 * java -cp org.chargeedge.systemd.jar org.chargeedge.systemd.internal.ShellClient SOCKET            (interactive)
 * java -cp org.chargeedge.systemd.jar org.chargeedge.systemd.internal.ShellClient SOCKET COMMAND... (one command)
 * </pre>
 *
 * Exit status: 0; 1 when a command printed {@code ERROR: }; 2 when the socket cannot be reached.
 * Threads: interactive, one thread copies standard input to the socket while main prints what comes back.
 */
public final class ShellClient {

    private ShellClient() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: ShellClient SOCKET [COMMAND...]");
            System.exit(2);
        }
        Path socket = Path.of(args[0]);
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            System.err.println(cannotConnect(socket, e));
            System.exit(2);
            return;
        }
        if (args.length > 1) {
            String command = String.join(" ", java.util.Arrays.copyOfRange(args, 1, args.length));
            channel.write(StandardCharsets.UTF_8.encode(ShellSocket.BATCH + "\n" + command + "\n"));
            channel.shutdownOutput();
            System.exit(copyAnswer(channel) ? 1 : 0);
        }
        channel.write(StandardCharsets.UTF_8.encode(ShellSocket.INTERACTIVE + "\n"));
        Thread keyboard = new Thread(() -> {
            try (InputStream in = System.in) {
                byte[] buffer = new byte[4096];
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
                    while (chunk.hasRemaining()) {
                        channel.write(chunk);
                    }
                }
                channel.shutdownOutput();
            } catch (IOException e) {
                // The gateway closed the session (exit); nothing more to send.
            }
        }, "keyboard");
        keyboard.setDaemon(true);
        keyboard.start();
        System.exit(copyAnswer(channel) ? 1 : 0);
    }

    /** Prints what the gateway sends until it closes; true when a line reported an error. */
    private static boolean copyAnswer(SocketChannel channel) throws IOException {
        boolean error = false;
        OutputStream out = System.out;
        try (InputStream in = Channels.newInputStream(channel)) {
            byte[] buffer = new byte[4096];
            boolean lineStart = true;
            StringBuilder head = new StringBuilder();
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                out.write(buffer, 0, n);
                out.flush();
                for (int i = 0; i < n; i++) {
                    char c = (char) buffer[i];
                    if (lineStart) {
                        head.append(c);
                        if (head.length() == 7) {
                            error |= head.toString().equals("ERROR: ");
                            lineStart = false;
                            head.setLength(0);
                        }
                    }
                    if (c == '\n') {
                        lineStart = true;
                        head.setLength(0);
                    }
                }
            }
        }
        return error;
    }

    private static String cannotConnect(Path socket, IOException e) {
        if (!Files.exists(socket)) {
            return "The gateway's shell socket " + socket + " is not there: is the service running"
                    + " (systemctl status chargeedge)?";
        }
        if (e instanceof AccessDeniedException || String.valueOf(e.getMessage()).contains("ermission")) {
            return "Only root may open " + socket + ": run it with sudo";
        }
        return "Cannot connect to " + socket + ": " + e.getMessage();
    }
}
