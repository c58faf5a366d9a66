package org.chargeedge.http.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;
import org.apache.felix.hc.api.ResultLog;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code GET /health}, public: every Felix {@link HealthCheck} service tagged
 * {@value #TAG} (from any bundle), run now, with the worst status. 200 while
 * the worst is OK or WARN, 503 otherwise, so a load balancer, a systemd
 * watchdog or an update job can poll it without credentials. The checks read
 * snapshots and are cheap, so they run on the request's thread.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/health")
public class HealthServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    static final String TAG = "chargeedge";

    record Check(String name, HealthCheck check) {
    }

    /** Written by DS as checks come and go, read by every request: copy-on-write, as changes are rare. */
    private final transient List<Check> checks = new CopyOnWriteArrayList<>();

    public HealthServlet() {
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = "(" + HealthCheck.TAGS + "=" + TAG + ")")
    void addCheck(HealthCheck check, Map<String, Object> properties) {
        Object name = properties.get(HealthCheck.NAME);
        checks.add(new Check(name == null ? check.getClass().getSimpleName() : name.toString(), check));
    }

    void removeCheck(HealthCheck check) {
        checks.removeIf(c -> c.check() == check);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Result.Status worst = Result.Status.OK;
        List<Map<String, Object>> results = new ArrayList<>();
        List<Check> now = new ArrayList<>(checks);
        now.sort(Comparator.comparing(Check::name));
        for (Check c : now) {
            Result result;
            try {
                result = c.check().execute();
            } catch (RuntimeException e) {
                result = new Result(Result.Status.HEALTH_CHECK_ERROR, "the check failed: " + e, e);
            }
            StringBuilder message = new StringBuilder();
            for (ResultLog.Entry entry : result) {
                if (message.length() > 0) {
                    message.append("; ");
                }
                message.append(entry.getMessage());
            }
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("name", c.name());
            one.put("status", result.getStatus().name());
            one.put("message", message.toString());
            results.add(one);
            if (result.getStatus().ordinal() > worst.ordinal()) {
                worst = result.getStatus();
            }
        }
        boolean healthy = worst == Result.Status.OK || worst == Result.Status.WARN;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", worst.name());
        body.put("checks", results);
        Json.write(response, healthy ? 200 : 503, body);
    }
}
