package org.chargeedge.systemd.internal;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Semaphore;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Gogo shell of the running service for local administrators, on a Unix domain stream socket
 * (the JDK's), so that no terminal on the service's console is needed: {@code chargeedge shell}
 * of the Debian package connects to it. The socket is where {@code CHARGEEDGE_SHELL_SOCKET} says
 * (the unit: {@code /run/chargeedge/shell.sock}); without that variable nothing listens.
 *
 * <p>Who may open it: the socket file is {@code 0600}, owned by the service's user, in a directory
 * that only that user and root can enter; so root (an administrator with sudo) and the service's
 * own user, nobody else. No network, no password to leak.
 *
 * <p>Protocol: lines in, each one command; its result and output out. The client's first line is
 * {@code @interactive} (a banner, and the prompt {@code g! } before each command) or
 * {@code @batch} (no prompts, for scripts); any other first line is a command of a batch. A
 * failing command prints a line starting {@code ERROR: }. Threads: one accepting ({@code chargeedge-shell-socket}),
 * one per session ({@code chargeedge-shell-session}), at most {@link #MAX_SESSIONS}.
 */
@Component(immediate = true, service = {})
public class ShellSocket {

    static final String SOCKET_VARIABLE = "CHARGEEDGE_SHELL_SOCKET";
    static final String BATCH = "@batch";
    static final String INTERACTIVE = "@interactive";
    static final String PROMPT = "g! ";
    private static final int MAX_SESSIONS = 4;
    private static final Logger LOG = LoggerFactory.getLogger(ShellSocket.class);

    private final CommandProcessor processor;
    private final Semaphore sessions = new Semaphore(MAX_SESSIONS);
    private ServerSocketChannel server;
    private Path path;

    @Activate
    public ShellSocket(@Reference CommandProcessor processor) {
        this(processor, System.getenv(SOCKET_VARIABLE));
    }

    /** Listens on {@code socket} when one is named. */
    ShellSocket(CommandProcessor processor, String socket) {
        this.processor = processor;
        if (socket != null && !socket.isBlank()) {
            open(Path.of(socket));
        }
    }

    /** Listens on {@code socket}; false (logged) when it cannot. */
    boolean open(Path socket) {
        try {
            Files.deleteIfExists(socket);
            ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            channel.bind(UnixDomainSocketAddress.of(socket));
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
            server = channel;
            path = socket;
        } catch (IOException | UnsupportedOperationException e) {
            LOG.error("The local shell socket {} cannot be opened: {}; chargeedge shell will not reach the gateway",
                    socket, e.toString());
            return false;
        }
        Thread accept = new Thread(this::accept, "chargeedge-shell-socket");
        accept.setDaemon(true);
        accept.start();
        LOG.info("Local shell on {} (root and the service's user only)", socket);
        return true;
    }

    private void accept() {
        while (true) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.warn("Local shell socket: {}", e.toString());
                return;
            }
            if (!sessions.tryAcquire()) {
                try (client) {
                    client.write(StandardCharsets.UTF_8.encode("ERROR: " + MAX_SESSIONS
                            + " shell sessions are open already\n"));
                } catch (IOException e) {
                    // The client went away; nothing to tell it.
                }
                continue;
            }
            Thread session = new Thread(() -> {
                try {
                    serve(client);
                } finally {
                    sessions.release();
                }
            }, "chargeedge-shell-session");
            session.setDaemon(true);
            session.start();
        }
    }

    private void serve(SocketChannel client) {
        try (client;
             BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(client),
                     StandardCharsets.UTF_8));
             PrintStream out = new PrintStream(Channels.newOutputStream(client), true, StandardCharsets.UTF_8)) {
            // Commands get no keyboard: the lines of the socket are the session's commands.
            CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, out);
            try {
                String line = in.readLine();
                if (line == null) {
                    return;
                }
                boolean interactive = INTERACTIVE.equals(line.trim());
                if (interactive) {
                    out.println("ChargeEdge gateway shell (exit or Ctrl-D to leave)");
                } else if (!BATCH.equals(line.trim()) && !run(session, line, out)) {
                    return;
                }
                while (true) {
                    if (interactive) {
                        out.print(PROMPT);
                        out.flush();
                    }
                    line = in.readLine();
                    if (line == null || !run(session, line, out)) {
                        return;
                    }
                }
            } finally {
                session.close();
            }
        } catch (IOException e) {
            LOG.debug("Local shell session ended: {}", e.toString());
        }
    }

    /** Runs one line; false when it asks to leave. */
    private static boolean run(CommandSession session, String line, PrintStream out) {
        String command = line.trim();
        if (command.equals("exit") || command.equals("quit")) {
            return false;
        }
        if (command.isEmpty()) {
            return true;
        }
        try {
            Object result = session.execute(command);
            if (result != null) {
                out.println(session.format(result, Converter.INSPECT));
            }
        } catch (Exception e) {
            out.println("ERROR: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
        }
        out.flush();
        return true;
    }

    @Deactivate
    void deactivate() {
        if (server != null) {
            try {
                server.close();
                Files.deleteIfExists(path);
            } catch (IOException e) {
                LOG.debug("Closing the local shell socket: {}", e.toString());
            }
        }
    }
}
