package org.chargeedge.http.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.chargeedge.api.charger.ChargerEvents;
import org.chargeedge.api.charger.ChargerInfo;
import org.chargeedge.api.energy.SiteEnergy;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletAsyncSupported;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code GET /api/events} (viewer role): live updates as server-sent events,
 * driven by the events the bundles post (no polling): every charger event
 * ({@code org/chargeedge/charger/*}, with the charger's new state, as
 * {@code GET /api/chargers/ID} shows it) and every energy measurement. The
 * event name is the topic's last part ({@code STATUS_CHANGED},
 * {@code MEASUREMENT}, ...). A browser's EventSource reconnects by itself;
 * after a reconnect it reads the state again, since events missed meanwhile
 * are not replayed.
 *
 * <p>Threads: EventAdmin's delivery thread turns each event into its text
 * once and offers it to every subscriber's bounded queue, never waiting for a
 * client. Each subscriber has its own writer thread
 * ({@code chargeedge-http-events}), so a slow client delays only itself; one
 * whose queue fills up is dropped. At most {@value #MAX_SUBSCRIBERS}
 * subscribers at once (503 beyond). A comment line every
 * {@value #KEEP_ALIVE_SECONDS} s keeps proxies open and finds clients that
 * are gone. The subscribers are a copy-on-write set: they change rarely
 * (connects, disconnects) and every event reads them.
 */
@Component(service = {Servlet.class, EventHandler.class},
        property = {EventConstants.EVENT_TOPIC + "=" + ChargerEvents.TOPIC_ALL,
                EventConstants.EVENT_TOPIC + "=" + SiteEnergy.TOPIC_MEASUREMENT})
@HttpWhiteboardServletPattern("/api/events")
@HttpWhiteboardServletAsyncSupported
public class EventStreamServlet extends HttpServlet implements EventHandler {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(EventStreamServlet.class);
    static final int MAX_SUBSCRIBERS = 16;
    static final int QUEUE = 512;
    static final int KEEP_ALIVE_SECONDS = 25;
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final transient CopyOnWriteArraySet<Subscriber> subscribers = new CopyOnWriteArraySet<>();

    public EventStreamServlet() {
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (subscribers.size() >= MAX_SUBSCRIBERS) {
            response.setHeader("Retry-After", "10");
            Json.error(response, 503, "too many live connections (" + MAX_SUBSCRIBERS + "); try again later");
            return;
        }
        response.setStatus(200);
        response.setContentType("text/event-stream");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("X-Accel-Buffering", "no");
        AsyncContext async = request.startAsync();
        async.setTimeout(0);
        Subscriber s = new Subscriber(async);
        subscribers.add(s);
        async.addListener(s);
        Thread writer = new Thread(s, "chargeedge-http-events-" + THREADS.incrementAndGet());
        writer.setDaemon(true);
        s.writer = writer;
        writer.start();
    }

    @Override
    public void handleEvent(Event event) {
        if (subscribers.isEmpty()) {
            return;
        }
        String frame;
        try {
            frame = frame(event);
        } catch (JsonProcessingException | RuntimeException e) {
            LOG.debug("Cannot send event {} to live subscribers", event.getTopic(), e);
            return;
        }
        for (Subscriber s : subscribers) {
            s.offer(frame);
        }
    }

    /** An event as server-sent-event text: its name and one line of JSON. */
    static String frame(Event event) throws JsonProcessingException {
        String topic = event.getTopic();
        ObjectNode data = Json.MAPPER.createObjectNode();
        if (topic.startsWith(ChargerEvents.TOPIC_PREFIX)) {
            data.put("chargePointId", (String) event.getProperty(ChargerEvents.CHARGE_POINT_ID));
            Object connector = event.getProperty(ChargerEvents.CONNECTOR_ID);
            if (connector instanceof Number n) {
                data.put("connectorId", n.intValue());
            }
            Object transaction = event.getProperty(ChargerEvents.TRANSACTION_ID);
            if (transaction instanceof Number n) {
                data.put("transactionId", n.intValue());
            }
            if (event.getProperty(ChargerEvents.CHARGER) instanceof ChargerInfo info) {
                data.set("charger", ApiServlet.charger(info));
            }
        } else {
            data.set("key", Json.MAPPER.valueToTree(event.getProperty(SiteEnergy.KEY)));
            Object measurement = event.getProperty(SiteEnergy.MEASUREMENT);
            if (measurement != null) {
                data.set("measurement", Json.MAPPER.valueToTree(measurement));
            }
        }
        return "event: " + topic.substring(topic.lastIndexOf('/') + 1) + "\ndata: "
                + Json.MAPPER.writeValueAsString(data) + "\n\n";
    }

    int subscribers() {
        return subscribers.size();
    }

    @Deactivate
    void deactivate() {
        for (Subscriber s : subscribers) {
            s.close();
        }
    }

    /** One live client: its queue, drained by its own writer thread. */
    private final class Subscriber implements Runnable, AsyncListener {
        private final AsyncContext async;
        private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(QUEUE);
        private volatile boolean closed;
        volatile Thread writer;

        Subscriber(AsyncContext async) {
            this.async = async;
        }

        void offer(String frame) {
            if (!queue.offer(frame)) {
                LOG.info("A live HTTP client does not keep up with the site's events; it is disconnected");
                close();
            }
        }

        @Override
        public void run() {
            try {
                OutputStream out = async.getResponse().getOutputStream();
                out.write(": connected\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                while (!closed) {
                    String frame = queue.poll(KEEP_ALIVE_SECONDS, TimeUnit.SECONDS);
                    out.write((frame != null ? frame : ": keep-alive\n\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            } catch (IOException | IllegalStateException e) {
                // the client went away
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                subscribers.remove(this);
                closed = true;
                try {
                    async.complete();
                } catch (IllegalStateException e) {
                    // completed by the container already
                }
            }
        }

        void close() {
            closed = true;
            subscribers.remove(this);
            Thread w = writer;
            if (w != null) {
                w.interrupt();
            }
        }

        @Override
        public void onComplete(AsyncEvent event) {
            close();
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            close();
        }

        @Override
        public void onError(AsyncEvent event) {
            close();
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
        }
    }
}
