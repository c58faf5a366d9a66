package org.chargeedge.management.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.chargeedge.api.management.BundleSource;
import org.chargeedge.api.management.Job;
import org.chargeedge.api.management.Management;
import org.chargeedge.api.management.ManagementException;
import org.chargeedge.api.management.UpdateRequest;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletMultipart;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;

import jakarta.servlet.Servlet;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.Part;

/**
 * The management service over HTTP, under {@code /api/management/}: bundles
 * (list, update from an upload or a URL, uninstall), jobs, configuration,
 * snapshots and the release channel. A thin layer: each refusal of
 * {@link Management} keeps its reason's status.
 *
 * <p>The HTTP bundle's filter on {@code /*} authenticates every request, lets
 * viewers GET, and checks the CSRF token of browser sessions; it leaves the
 * role as a plain String in the request attribute {@link #ROLE_ATTRIBUTE}, and the
 * user's or API token's name in {@link #USER_ATTRIBUTE}, which a job keeps as
 * the one who started it.
 * Everything here needs the operator role, reads included: configurations
 * may hold secrets, and the bundle list tells an attacker what to aim at.
 *
 * <p>Uploads are streamed into a file of their own next to the jobs'
 * directories ({@link UploadReceiver}), the limit enforced and the SHA-256
 * computed as the bytes arrive; the job moves the file in.
 *
 * <p>Threads: Jetty's request threads; no state of its own but the immutable
 * upload limit and directory.
 */
@Component(service = Servlet.class, configurationPid = ManagementImpl.PID)
@HttpWhiteboardServletPattern(ManagementServlet.PATTERN)
@HttpWhiteboardServletMultipart(enabled = true, maxFileSize = ManagementServlet.MULTIPART_HARD_LIMIT,
        maxRequestSize = ManagementServlet.MULTIPART_HARD_LIMIT)
public class ManagementServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    static final String PATTERN = "/api/management/*";
    /** Set by the HTTP bundle's authentication filter: the caller's role, "viewer" or "operator". */
    static final String ROLE_ATTRIBUTE = "org.chargeedge.http.role";
    /** Set by the same filter: the name of the user or API token that authenticated the request. */
    static final String USER_ATTRIBUTE = "org.chargeedge.http.user";
    static final String OPERATOR = "operator";
    /** What Jetty buffers of a multipart request at most; the configured limit, lower, is checked on each part. */
    static final long MULTIPART_HARD_LIMIT = 512L * 1024 * 1024;
    /** The resources below {@code /api/management/}, as the router knows them. */
    static final List<String> RESOURCES = List.of("bundles", "jobs", "configurations", "snapshots", "channel",
            "factory-reset");
    /** JSON requests are small commands. */
    static final int MAX_JSON = 64 * 1024;

    static final ObjectMapper JSON = new ObjectMapper()
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .registerModule(new SimpleModule("chargeedge-management").addSerializer(Instant.class,
                    ToStringSerializer.instance));

    private final transient Management management;
    private final long maxBundleBytes;
    private final transient UploadReceiver uploads;

    @Activate
    public ManagementServlet(@Reference Management management, ManagementConfig config, BundleContext context)
            throws IOException {
        this(management, config.maxBundleMegabytes() * 1024L * 1024L, UploadReceiver.directory(
                ManagementImpl.dataDir(context).resolve("management").resolve("jobs")));
        uploads.deleteLeftovers(Instant.now());
    }

    ManagementServlet(Management management, long maxBundleBytes, Path uploadDir) {
        this.management = management;
        this.maxBundleBytes = maxBundleBytes;
        this.uploads = new UploadReceiver(uploadDir, maxBundleBytes);
    }

    /** An answer other than a result: a status and a message for the operator. */
    static final class HttpProblem extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;
        final String reason;

        HttpProblem(int status, String reason, String message) {
            super(message);
            this.status = status;
            this.reason = reason;
        }

        static HttpProblem of(ManagementException e) {
            return new HttpProblem(status(e.reason()), e.reason().name(), e.getMessage());
        }
    }

    static int status(ManagementException.Reason reason) {
        return switch (reason) {
            case INVALID -> 400;
            case NOT_FOUND -> 404;
            case BUSY -> 409;
            case REFUSED -> 422;
            case UNAVAILABLE -> 503;
        };
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        Object role = request.getAttribute(ROLE_ATTRIBUTE);
        if (!OPERATOR.equals(role)) {
            error(response, new HttpProblem(403, "FORBIDDEN", "remote management needs the operator role"
                    + (role == null ? "" : "; this caller is a " + role)));
            return;
        }
        String method = request.getMethod();
        List<String> path = segments(request.getPathInfo());
        try {
            Object result = route(method, path, request, response);
            if (result != null) {
                write(response, response.getStatus(), result);
            }
        } catch (HttpProblem e) {
            error(response, e);
        } catch (ManagementException e) {
            error(response, HttpProblem.of(e));
        }
    }

    private Object route(String method, List<String> path, HttpServletRequest request, HttpServletResponse response)
            throws HttpProblem, ManagementException, IOException, ServletException {
        String resource = path.isEmpty() ? "" : path.get(0);
        int n = path.size();
        boolean get = method.equals("GET") || method.equals("HEAD");
        boolean post = method.equals("POST");
        switch (resource) {
            case "bundles" -> {
                if (n == 1 && get) {
                    return management.bundles();
                }
                if (n == 1 && post) {
                    return accepted(response, update(request));
                }
                if (n == 2 && method.equals("DELETE")) {
                    return accepted(response, management.submitUninstall(path.get(1), origin(request),
                            startedBy(request)));
                }
            }
            case "jobs" -> {
                if (n == 1 && get) {
                    return management.jobs();
                }
                if (n == 2 && get && path.get(1).equals("current")) {
                    return management.currentJob().orElseThrow(() -> new HttpProblem(404, "NOT_FOUND",
                            "no job is running"));
                }
                if (n == 2 && get) {
                    return management.job(path.get(1)).orElseThrow(() -> new HttpProblem(404, "NOT_FOUND",
                            "no job " + path.get(1)));
                }
            }
            case "configurations" -> {
                if (n == 1 && get) {
                    return management.configurations();
                }
                if (n == 2 && get) {
                    return management.configuration(path.get(1));
                }
                if (n == 2 && post) {
                    return changeConfiguration(path.get(1), jsonBody(request));
                }
                if (n == 3 && method.equals("DELETE")) {
                    return management.changeConfiguration(path.get(1), Map.of(), Set.of(path.get(2)));
                }
            }
            case "snapshots" -> {
                if (n == 1 && get) {
                    return management.configurationSnapshots();
                }
                if (n == 1 && post) {
                    JsonNode body = request.getContentLengthLong() == 0 ? JSON.createObjectNode() : jsonBody(request);
                    response.setStatus(201);
                    return management.snapshotConfiguration(optionalText(body, "reason"));
                }
                if (n == 3 && post && path.get(2).equals("rollback")) {
                    return Map.of("rolledBackTo", path.get(1), "before",
                            management.rollbackConfiguration(path.get(1)));
                }
            }
            case "channel" -> {
                if (n == 1 && get) {
                    return management.releaseChannel().orElseThrow(() -> new HttpProblem(404, "NOT_FOUND",
                            "no release channel is configured (channelUrl of " + ManagementImpl.PID + ")"));
                }
                if (n == 2 && post && path.get(1).equals("poll")) {
                    return management.pollReleaseChannel();
                }
            }
            case "factory-reset" -> {
                if (n == 1 && post) {
                    JsonNode confirm = jsonBody(request).get("confirm");
                    if (confirm == null || !confirm.isBoolean() || !confirm.booleanValue()) {
                        throw new HttpProblem(400, "INVALID", "a factory reset needs {\"confirm\": true}");
                    }
                    management.factoryReset(origin(request));
                    response.setStatus(202);
                    return Map.of("factoryReset", "the gateway stops now; at its next start the distribution's"
                            + " bundles and the configuration files apply again, the data is kept");
                }
            }
            default -> {
                throw new HttpProblem(404, "NOT_FOUND", "no management resource " + String.join("/", path)
                        + "; there are " + String.join(", ", RESOURCES) + " (docs/operations.md, \"Remote management"
                        + " over HTTP\")");
            }
        }
        throw new HttpProblem(405, "METHOD_NOT_ALLOWED", method + " is not allowed on /api/management/"
                + String.join("/", path));
    }

    private static Job accepted(HttpServletResponse response, Job job) {
        response.setStatus(202);
        response.setHeader("Location", "/api/management/jobs/" + job.id());
        return job;
    }

    /**
     * An update from the request: a jar as the body (the SHA-256 and the downgrade flag as query parameters),
     * a multipart form (a file part {@code bundle}, fields {@code sha256} and {@code downgrade}), or JSON with
     * {@code url}, {@code sha256} and {@code downgrade}.
     */
    private Job update(HttpServletRequest request)
            throws HttpProblem, ManagementException, IOException, ServletException {
        String type = request.getContentType() == null ? "" : request.getContentType().toLowerCase();
        if (type.startsWith("application/json")) {
            JsonNode body = jsonBody(request);
            String url = requiredText(body, "url");
            URI uri;
            try {
                uri = new URI(url);
            } catch (URISyntaxException e) {
                throw new HttpProblem(400, "INVALID", "'url' is not a URL: " + e.getMessage());
            }
            JsonNode downgrade = body.get("downgrade");
            if (downgrade != null && !downgrade.isBoolean()) {
                throw new HttpProblem(400, "INVALID", "'downgrade' must be true or false");
            }
            return management.submitUpdate(request(BundleSource.download(uri, requiredText(body, "sha256")),
                    downgrade != null && downgrade.booleanValue(), request));
        }
        if (type.startsWith("multipart/form-data")) {
            Part part;
            try {
                part = request.getPart("bundle");
            } catch (IllegalStateException e) {
                throw tooLarge(); // above the multipart hard limit
            }
            if (part == null) {
                throw new HttpProblem(400, "INVALID", "the form has no file part 'bundle'");
            }
            if (part.getSize() > maxBundleBytes) {
                throw tooLarge();
            }
            return submitUpload(part.getInputStream(), required(request.getParameter("sha256"), "sha256"),
                    flag(request.getParameter("downgrade")), request);
        }
        if (type.startsWith("application/java-archive") || type.startsWith("application/octet-stream")
                || type.startsWith("application/zip")) {
            String sha256 = required(request.getParameter("sha256"), "sha256");
            boolean downgrade = flag(request.getParameter("downgrade"));
            if (request.getContentLengthLong() > maxBundleBytes) {
                throw tooLarge(); // a declared length: refused before a byte is read
            }
            return submitUpload(request.getInputStream(), sha256, downgrade, request);
        }
        throw new HttpProblem(415, "UNSUPPORTED_MEDIA_TYPE", "send the jar as application/java-archive (with"
                + " ?sha256=...), as multipart/form-data (part 'bundle', field 'sha256'), or a URL as"
                + " application/json {\"url\": ..., \"sha256\": ...}");
    }

    /**
     * Streams an upload to its file and submits it; the file is the job's from then on, and deleted here when
     * no job took it. A hash that does not match is refused at once (422), nothing staged: it is known when
     * the last byte arrived.
     */
    private Job submitUpload(InputStream body, String sha256, boolean downgrade, HttpServletRequest request)
            throws HttpProblem, ManagementException, IOException {
        UploadReceiver.Received received;
        try (InputStream in = body) {
            received = uploads.receive(in);
        } catch (UploadReceiver.TooLarge e) {
            throw tooLarge();
        }
        try {
            if (received.size() == 0) {
                throw new HttpProblem(400, "INVALID", "the request body is empty; send the bundle's jar");
            }
            if (BundleJars.isSha256(sha256) && !received.sha256().equalsIgnoreCase(sha256)) {
                throw new HttpProblem(422, "REFUSED", "the upload (" + received.size() + " bytes) has the SHA-256 "
                        + received.sha256() + ", not the expected " + sha256.toLowerCase() + "; nothing was staged");
            }
            return management.submitUpdate(request(BundleSource.uploaded(received.file(), sha256), downgrade,
                    request));
        } finally {
            Files.deleteIfExists(received.file());
        }
    }

    private static UpdateRequest request(BundleSource source, boolean downgrade, HttpServletRequest request) {
        return new UpdateRequest(List.of(source), downgrade, origin(request), startedBy(request));
    }

    /** The user or API token that asked, as the authentication filter named it; null without the filter. */
    static String startedBy(HttpServletRequest request) {
        Object user = request.getAttribute(USER_ATTRIBUTE);
        return user instanceof String name ? name : null;
    }

    private HttpProblem tooLarge() {
        return new HttpProblem(413, "TOO_LARGE", "a bundle may be at most " + maxBundleBytes / (1024 * 1024)
                + " MiB (maxBundleMegabytes of " + ManagementImpl.PID + ")");
    }

    private Object changeConfiguration(String pid, JsonNode body) throws HttpProblem, ManagementException {
        Map<String, String> set = new LinkedHashMap<>();
        Set<String> remove = new LinkedHashSet<>();
        JsonNode setNode = body.get("set");
        if (setNode != null) {
            if (!setNode.isObject()) {
                throw new HttpProblem(400, "INVALID", "'set' must be an object of keys and values");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = setNode.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                set.put(e.getKey(), configValue(e.getKey(), e.getValue()));
            }
        }
        JsonNode removeNode = body.get("remove");
        if (removeNode != null) {
            if (!removeNode.isArray()) {
                throw new HttpProblem(400, "INVALID", "'remove' must be an array of keys");
            }
            for (JsonNode key : removeNode) {
                if (!key.isTextual()) {
                    throw new HttpProblem(400, "INVALID", "'remove' must hold keys as strings");
                }
                remove.add(key.textValue());
            }
        }
        if (set.isEmpty() && remove.isEmpty()) {
            throw new HttpProblem(400, "INVALID", "give 'set' (an object of keys and values) or 'remove' (an array"
                    + " of keys)");
        }
        return management.changeConfiguration(pid, set, remove);
    }

    /** A value as the service takes it: a string; several values separated by commas. */
    private static String configValue(String key, JsonNode value) throws HttpProblem {
        if (value.isValueNode() && !value.isNull()) {
            return value.asText();
        }
        if (value.isArray()) {
            List<String> parts = new ArrayList<>();
            for (JsonNode v : value) {
                if (!v.isValueNode() || v.isNull()) {
                    throw new HttpProblem(400, "INVALID", "'" + key + "' must hold plain values");
                }
                parts.add(v.asText());
            }
            return String.join(",", parts);
        }
        throw new HttpProblem(400, "INVALID", "'" + key + "' must be a string, number, boolean or an array of them");
    }

    /** Who asked, for the job's record. */
    static String origin(HttpServletRequest request) {
        return "http (" + request.getAttribute(ROLE_ATTRIBUTE) + " from " + request.getRemoteAddr() + ")";
    }

    static JsonNode jsonBody(HttpServletRequest request) throws HttpProblem, IOException {
        String type = request.getContentType();
        if (type == null || !type.toLowerCase().startsWith("application/json")) {
            throw new HttpProblem(415, "UNSUPPORTED_MEDIA_TYPE", "send the request body as application/json");
        }
        if (request.getContentLengthLong() > MAX_JSON) {
            throw new HttpProblem(413, "TOO_LARGE", "the request body is larger than " + MAX_JSON + " bytes");
        }
        byte[] bytes;
        try (InputStream in = request.getInputStream()) {
            bytes = in.readNBytes(MAX_JSON + 1);
        }
        if (bytes.length > MAX_JSON) {
            throw new HttpProblem(413, "TOO_LARGE", "the request body is larger than " + MAX_JSON + " bytes");
        }
        JsonNode node;
        try {
            node = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new HttpProblem(400, "INVALID", "the request body is not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new HttpProblem(400, "INVALID", "the request body must be a JSON object");
        }
        return node;
    }

    private static String requiredText(JsonNode body, String field) throws HttpProblem {
        JsonNode value = body.get(field);
        if (value == null || !value.isTextual()) {
            throw new HttpProblem(400, "INVALID", "'" + field + "' is missing or not a string");
        }
        return required(value.textValue(), field);
    }

    private static String optionalText(JsonNode body, String field) throws HttpProblem {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new HttpProblem(400, "INVALID", "'" + field + "' must be a string");
        }
        return value.textValue();
    }

    private static String required(String value, String name) throws HttpProblem {
        if (value == null || value.isBlank()) {
            throw new HttpProblem(400, "INVALID", "'" + name + "' is missing");
        }
        return value.trim();
    }

    private static boolean flag(String value) throws HttpProblem {
        if (value == null || value.isEmpty() || value.equalsIgnoreCase("false")) {
            return false;
        }
        if (value.equalsIgnoreCase("true")) {
            return true;
        }
        throw new HttpProblem(400, "INVALID", "'downgrade' must be true or false, not '" + value + "'");
    }

    /** The path below {@code /api/management/}, split at slashes, without empty segments. */
    static List<String> segments(String pathInfo) {
        List<String> out = new ArrayList<>();
        if (pathInfo != null) {
            for (String s : pathInfo.split("/")) {
                if (!s.isEmpty()) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    private static void write(HttpServletResponse response, int status, Object body) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        JSON.writeValue(response.getOutputStream(), body);
    }

    private static void error(HttpServletResponse response, HttpProblem problem) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.put("error", problem.getMessage());
        body.put("status", problem.status);
        body.put("reason", problem.reason);
        write(response, problem.status, body);
    }
}
