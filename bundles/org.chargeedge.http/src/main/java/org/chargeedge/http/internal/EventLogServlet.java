package org.chargeedge.http.internal;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.chargeedge.api.charger.ChargerEvents;
import org.chargeedge.api.management.JobEvents;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code GET /api/events/log?since=&limit=&charger=} (viewer): the {@link EventLog} of the last hours,
 * newest first. It follows the chargers' events and remote management's job events from the moment
 * this bundle starts; what happened before (or while it was being updated) is not in it. The live
 * stream of the same events is {@code /api/events}.
 *
 * <p>Threads: see {@link EventLog}; the log is created at construction and only its limits change.
 */
@Component(service = {Servlet.class, EventHandler.class}, configurationPid = HttpConfig.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = {EventConstants.EVENT_TOPIC + "=" + ChargerEvents.TOPIC_ALL,
                EventConstants.EVENT_TOPIC + "=" + JobEvents.TOPIC_ALL})
@HttpWhiteboardServletPattern("/api/events/log")
public class EventLogServlet extends HttpServlet implements EventHandler {

    private static final long serialVersionUID = 1L;
    static final int DEFAULT_LIMIT = 200;
    static final int MAX_LIMIT = 2000;

    private final transient EventLog log;

    /** With the defaults of {@link HttpConfig}, outside the framework (tests). */
    EventLogServlet() {
        this(2000, Duration.ofHours(6), Clock.systemUTC());
    }

    EventLogServlet(int maxEntries, Duration maxAge, Clock clock) {
        this.log = new EventLog(maxEntries, maxAge, clock);
    }

    @Activate
    public EventLogServlet(HttpConfig config) {
        this(config.eventLogEntries(), Duration.ofHours(config.eventLogHours()), Clock.systemUTC());
    }

    @Modified
    void modified(HttpConfig config) {
        log.limit(config.eventLogEntries(), Duration.ofHours(config.eventLogHours()));
    }

    @Override
    public void handleEvent(Event event) {
        log.add(event);
    }

    EventLog log() {
        return log;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        try {
            Instant since = ApiServlet.time(request.getParameter("since"), "since", false);
            int limit = ApiServlet.number(request.getParameter("limit"), "limit", 1, MAX_LIMIT, DEFAULT_LIMIT);
            String charger = request.getParameter("charger");
            List<EventLog.Entry> entries = log.entries(since, charger == null || charger.isBlank() ? null
                    : charger.trim(), limit);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("events", entries);
            Json.write(response, 200, out);
        } catch (Json.ApiException e) {
            Json.error(response, e.status, e.getMessage());
        }
    }
}
