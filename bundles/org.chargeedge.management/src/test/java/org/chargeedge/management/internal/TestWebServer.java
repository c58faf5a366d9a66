package org.chargeedge.management.internal;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.AbstractHandler;

/** Jetty in the test JVM serving files from memory, as a static web host serves a release channel. */
final class TestWebServer implements AutoCloseable {

    // Written by the test thread, read by Jetty's threads: a concurrent map.
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final Server server = new Server();
    private final ServerConnector connector = new ServerConnector(server);

    TestWebServer() throws Exception {
        connector.setPort(0);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(new AbstractHandler() {
            @Override
            public void handle(String target, Request baseRequest, HttpServletRequest request,
                               HttpServletResponse response) throws IOException {
                baseRequest.setHandled(true);
                byte[] body = files.get(target);
                if (body == null) {
                    response.sendError(404);
                    return;
                }
                response.setContentType("application/octet-stream");
                response.setContentLength(body.length);
                response.getOutputStream().write(body);
            }
        });
        server.start();
    }

    void put(String path, byte[] content) {
        files.put(path, content);
    }

    byte[] get(String path) {
        return files.get(path);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + connector.getLocalPort() + path);
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
