package org.chargeedge.management.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.felix.scr.impl.Activator;
import org.chargeedge.http.internal.GuardedServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.metatype.MetaTypeService;

import com.fasterxml.jackson.databind.JsonNode;

import jakarta.servlet.MultipartConfigElement;

/**
 * The management resources over real HTTP: the servlet behind the HTTP
 * bundle's real authentication filter in Jetty, over the real management
 * service in a Felix framework with SCR, Configuration Admin and Metatype.
 * Health is a gate the test opens and closes.
 */
class ManagementHttpTest {

    private static final String SVC = "test.svc";
    /** The upload limit of these tests: the test bundles are a few KiB. */
    private static final long LIMIT = 64 * 1024;

    @TempDir
    Path dir;
    private TestFramework felix;
    private ManagementImpl management;
    private GuardedServer server;
    private TestWebServer web;
    private String operator;
    private String viewer;
    /** Where the servlet streams uploads to. */
    private Path uploads;
    /** The health the jobs wait for: null is healthy. Written by the test thread, read by the job thread. */
    private volatile String unhealthy;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        felix = new TestFramework(dir.resolve("framework"), Map.of(
                "org.osgi.framework.system.packages.extra", "org.osgi.service.cm;version=1.6.1,"
                        + "org.osgi.service.metatype;version=1.4.0,org.osgi.service.component;version=1.5.1,"
                        + "org.osgi.service.component.runtime;version=1.5.1,"
                        + "org.osgi.service.component.runtime.dto;version=1.5.1,org.osgi.util.promise;version=1.3.0,"
                        + "org.osgi.util.function;version=1.2.0",
                "chargeedge.data.dir", dir.resolve("data").toString(),
                "chargeedge.config.dir", dir.resolve("config").toString()));
        BundleContext context = felix.context();
        for (Class<?> inJar : List.of(org.apache.felix.log.Activator.class, org.apache.felix.cm.PersistenceManager.class,
                org.apache.felix.metatype.MetaData.class, Activator.class)) {
            context.installBundle(inJar.getProtectionDomain().getCodeSource().getLocation().toString()).start();
        }
        context.installBundle("test:site", new ByteArrayInputStream(ConfigManagerTest.metatypeBundle())).start();
        context.installBundle("chargeedge:dist/" + SVC, new ByteArrayInputStream(TestBundles.marker(SVC, "1.0.0",
                true))).start();
        management = new ManagementImpl(context, TestConfigs.management(Map.of("healthTimeoutSeconds", 2,
                "healthIntervalMillis", 20)),
                context.getService(context.getServiceReference(ServiceComponentRuntime.class)),
                context.getService(context.getServiceReference(ConfigurationAdmin.class)),
                context.getService(context.getServiceReference(MetaTypeService.class)));
        management.addHealthSource(timeout -> unhealthy);
        uploads = UploadReceiver.directory(dir.resolve("data").resolve("management").resolve("jobs"));
        server = new GuardedServer(dir.resolve("http"), new ManagementServlet(management, LIMIT, uploads),
                new MultipartConfigElement(dir.toString(), ManagementServlet.MULTIPART_HARD_LIMIT,
                        ManagementServlet.MULTIPART_HARD_LIMIT, 0));
        operator = server.token("fleet script", "operator");
        viewer = server.token("dashboard", "viewer");
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        management.deactivate();
        if (web != null) {
            web.close();
        }
        felix.close();
    }

    // ---- who may ----

    @Test
    void withoutCredentialsOrWithAWrongTokenNothingAnswers() throws Exception {
        assertReadsAnswer(null, 401, "log in first (POST /api/login), or send an API token");
        byte[] jar = TestBundles.marker(SVC, "1.1.0", true);
        assertThat(send(upload(jar, TestBundles.sha256(jar), null)).statusCode()).isEqualTo(401);
        String wrong = operator.substring(0, operator.length() - 3) + "abc";
        HttpResponse<String> r = send(get("/api/management/bundles", wrong));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(json(r).get("error").asText()).contains("not valid");
        assertThat(management.jobs()).isEmpty();
    }

    @Test
    void aViewerMayNotEvenReadManagement() throws Exception {
        assertReadsAnswer(viewer, 403, "remote management needs the operator role; this caller is a viewer");
        byte[] jar = TestBundles.marker(SVC, "1.1.0", true);
        assertThat(send(upload(jar, TestBundles.sha256(jar), viewer)).statusCode()).isEqualTo(403);
        assertThat(management.jobs()).isEmpty();
    }

    @Test
    void aBrowserSessionNeedsItsCsrfTokenToSubmitAJob() throws Exception {
        String[] session = server.session("olga", "operator", "operator-password-1");
        byte[] jar = TestBundles.marker(SVC, "1.1.0", true);
        HttpResponse<String> noCsrf = send(upload(jar, TestBundles.sha256(jar), null).header("Cookie", session[0]));
        assertThat(noCsrf.statusCode()).isEqualTo(403);
        assertThat(management.jobs()).isEmpty();
        HttpResponse<String> read = send(get("/api/management/bundles", null).header("Cookie", session[0]));
        assertThat(read.statusCode()).isEqualTo(200);
        HttpResponse<String> withCsrf = send(upload(jar, TestBundles.sha256(jar), null).header("Cookie", session[0])
                .header("X-CSRF-Token", session[1]));
        assertThat(withCsrf.statusCode()).isEqualTo(202);
        JsonNode job = awaitEnd(json(withCsrf).get("id").asText());
        assertThat(job.get("state").asText()).isEqualTo("COMMITTED");
        assertThat(job.get("startedBy").asText()).as("the user, not only the role").isEqualTo("olga");
    }

    // ---- bundles and jobs ----

    @Test
    void anUploadedBundleIsUpdatedByAJobThatCommits() throws Exception {
        JsonNode before = json(send(get("/api/management/bundles", operator)));
        assertThat(find(before, SVC).get("version").asText()).isEqualTo("1.0.0");
        assertThat(find(before, SVC).get("distribution").asBoolean()).isTrue();

        byte[] jar = TestBundles.marker(SVC, "1.1.0", true);
        HttpResponse<String> r = send(upload(jar, TestBundles.sha256(jar).toUpperCase(), operator));
        assertThat(r.statusCode()).isEqualTo(202);
        String id = json(r).get("id").asText();
        assertThat(r.headers().firstValue("Location")).hasValue("/api/management/jobs/" + id);
        JsonNode job = awaitEnd(id);
        assertThat(job.get("state").asText()).isEqualTo("COMMITTED");
        assertThat(job.get("origin").asText()).isEqualTo("http (operator from 127.0.0.1)");
        assertThat(job.get("startedBy").asText()).isEqualTo("fleet script");
        assertThat(job.get("bundles").get(0).get("source").asText()).isEqualTo("upload (" + jar.length + " bytes)");
        assertThat(job.get("steps").get(0).asText()).endsWith("submitted by fleet script over http (operator from"
                + " 127.0.0.1)");
        assertThat(uploadsLeft()).as("the job moved the streamed upload into its own directory").isEmpty();
        assertThat(job.get("bundles").get(0).get("toVersion").asText()).isEqualTo("1.1.0");
        assertThat(find(json(send(get("/api/management/bundles", operator))), SVC).get("version").asText())
                .isEqualTo("1.1.0");
        JsonNode jobs = json(send(get("/api/management/jobs", operator)));
        assertThat(jobs.get(0).get("id").asText()).isEqualTo(id);
        assertThat(send(get("/api/management/jobs/current", operator)).statusCode()).isEqualTo(404);
        assertThat(send(get("/api/management/jobs/999", operator)).statusCode()).isEqualTo(404);
    }

    @Test
    void aMultipartFormAndADownloadAreUpdatesToo() throws Exception {
        byte[] jar = TestBundles.marker(SVC, "1.1.0", true);
        String boundary = "----chargeedge" + System.nanoTime();
        ByteArrayOutputStream form = new ByteArrayOutputStream();
        form.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"sha256\"\r\n\r\n"
                + TestBundles.sha256(jar) + "\r\n--" + boundary + "\r\nContent-Disposition: form-data;"
                + " name=\"bundle\"; filename=\"svc.jar\"\r\nContent-Type: application/java-archive\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        form.write(jar);
        form.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/api/management/bundles"))
                .header("Authorization", "Bearer " + operator)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(form.toByteArray())));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(awaitEnd(json(r).get("id").asText()).get("state").asText()).isEqualTo("COMMITTED");

        web = new TestWebServer();
        byte[] next = TestBundles.marker(SVC, "1.2.0", true);
        web.put("/svc-1.2.0.jar", next);
        HttpResponse<String> download = send(postJson("/api/management/bundles", "{\"url\":\""
                + web.uri("/svc-1.2.0.jar") + "\",\"sha256\":\"" + TestBundles.sha256(next) + "\"}"));
        assertThat(download.statusCode()).isEqualTo(202);
        assertThat(awaitEnd(json(download).get("id").asText()).get("state").asText()).isEqualTo("COMMITTED");
        assertThat(bundle(SVC).getVersion()).hasToString("1.2.0");

        // a downgrade needs the flag
        byte[] old = TestBundles.marker(SVC, "1.0.5", true);
        web.put("/svc-1.0.5.jar", old);
        String body = "{\"url\":\"" + web.uri("/svc-1.0.5.jar") + "\",\"sha256\":\"" + TestBundles.sha256(old) + "\"";
        JsonNode refused = awaitEnd(json(send(postJson("/api/management/bundles", body + "}"))).get("id").asText());
        assertThat(refused.get("state").asText()).isEqualTo("FAILED");
        assertThat(refused.get("outcome").asText()).contains("not newer than the installed 1.2.0");
        JsonNode allowed = awaitEnd(json(send(postJson("/api/management/bundles", body + ",\"downgrade\":true}")))
                .get("id").asText());
        assertThat(allowed.get("state").asText()).isEqualTo("COMMITTED");
        assertThat(bundle(SVC).getVersion()).hasToString("1.0.5");
    }

    @Test
    void anUploadWithAWrongHashIsRefusedWhenItsLastByteArrivesAndNothingIsKept() throws Exception {
        byte[] jar = TestBundles.marker(SVC, "1.1.0", true);
        String expected = TestBundles.sha256(TestBundles.marker(SVC, "1.1.1", true));
        HttpResponse<String> r = send(upload(jar, expected, operator));
        assertThat(r.statusCode()).isEqualTo(422);
        assertThat(json(r).get("error").asText()).isEqualTo("the upload (" + jar.length + " bytes) has the SHA-256 "
                + TestBundles.sha256(jar) + ", not the expected " + expected + "; nothing was staged");
        assertThat(management.jobs()).isEmpty();
        assertThat(uploadsLeft()).isEmpty();
        assertThat(bundle(SVC).getVersion()).hasToString("1.0.0");
        // a download's hash is checked by the job, which fails with nothing changed
        web = new TestWebServer();
        web.put("/svc.jar", jar);
        JsonNode job = awaitEnd(json(send(postJson("/api/management/bundles", "{\"url\":\"" + web.uri("/svc.jar")
                + "\",\"sha256\":\"" + expected + "\"}"))).get("id").asText());
        assertThat(job.get("state").asText()).isEqualTo("FAILED");
        assertThat(job.get("outcome").asText()).contains("has the SHA-256 " + TestBundles.sha256(jar));
        assertThat(bundle(SVC).getVersion()).hasToString("1.0.0");
    }

    @Test
    void malformedRequestsAreRefusedWithTheProblemNamed() throws Exception {
        byte[] jar = TestBundles.marker(SVC, "1.1.0", true);
        HttpResponse<String> noHash = send(upload(jar, "", operator));
        assertThat(noHash.statusCode()).isEqualTo(400);
        assertThat(json(noHash).get("error").asText()).isEqualTo("'sha256' is missing");
        HttpResponse<String> shortHash = send(upload(jar, "abc123", operator));
        assertThat(shortHash.statusCode()).isEqualTo(400);
        assertThat(json(shortHash).get("reason").asText()).isEqualTo("INVALID");
        assertThat(json(shortHash).get("error").asText()).contains("64 hexadecimal digits");
        HttpResponse<String> badFlag = send(HttpRequest.newBuilder(uri("/api/management/bundles?sha256="
                + TestBundles.sha256(jar) + "&downgrade=maybe")).header("Authorization", "Bearer " + operator)
                .header("Content-Type", "application/java-archive").POST(HttpRequest.BodyPublishers.ofByteArray(jar)));
        assertThat(badFlag.statusCode()).isEqualTo(400);
        assertThat(send(postJson("/api/management/bundles", "{\"url\": ")).statusCode()).isEqualTo(400);
        HttpResponse<String> ftp = send(postJson("/api/management/bundles", "{\"url\":\"ftp://example/x.jar\","
                + "\"sha256\":\"" + TestBundles.sha256(jar) + "\"}"));
        assertThat(ftp.statusCode()).isEqualTo(400);
        HttpResponse<String> text = send(HttpRequest.newBuilder(uri("/api/management/bundles"))
                .header("Authorization", "Bearer " + operator).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("hello")));
        assertThat(text.statusCode()).isEqualTo(415);
        assertThat(send(get("/api/management/nothing", operator)).statusCode()).isEqualTo(404);
        HttpResponse<String> method = send(HttpRequest.newBuilder(uri("/api/management/jobs"))
                .header("Authorization", "Bearer " + operator).DELETE());
        assertThat(method.statusCode()).isEqualTo(405);
        assertThat(management.jobs()).isEmpty();
    }

    @Test
    void aBundleAboveTheLimitIsRefusedWith413() throws Exception {
        byte[] big = new byte[(int) LIMIT + 1];
        HttpResponse<String> r = send(upload(big, TestBundles.sha256(big), operator));
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(json(r).get("error").asText()).contains("maxBundleMegabytes");
        // without a length announced (chunked), the limit is found while the body streams to disk
        HttpResponse<String> chunked = send(HttpRequest.newBuilder(uri("/api/management/bundles?sha256="
                + TestBundles.sha256(big))).header("Authorization", "Bearer " + operator)
                .header("Content-Type", "application/java-archive")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))));
        assertThat(chunked.statusCode()).isEqualTo(413);
        assertThat(json(chunked).get("error").asText()).contains("maxBundleMegabytes");
        assertThat(management.jobs()).isEmpty();
        assertThat(uploadsLeft()).as("the part received is deleted").isEmpty();
        // a jar under the limit, also chunked, is taken
        byte[] atLimit = TestBundles.marker(SVC, "1.1.0", true);
        HttpResponse<String> fits = send(HttpRequest.newBuilder(uri("/api/management/bundles?sha256="
                + TestBundles.sha256(atLimit))).header("Authorization", "Bearer " + operator)
                .header("Content-Type", "application/java-archive")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(atLimit))));
        assertThat(fits.statusCode()).as(fits.body()).isEqualTo(202);
        assertThat(awaitEnd(json(fits).get("id").asText()).get("state").asText()).isEqualTo("COMMITTED");
        assertThat(uploadsLeft()).isEmpty();
    }

    // ---- the OpenAPI description (the HTTP bundle's, one for the whole API) ----

    @Test
    void everyResourceOfTheServletIsInTheOpenApiDescription() throws Exception {
        List<String> described = managementPaths();
        for (String resource : ManagementServlet.RESOURCES) {
            assertThat(described).as(resource).contains(OPENAPI_PREFIX + resource);
        }
        assertThat(described).as("nothing described that the router does not know").allMatch(p -> ManagementServlet
                .RESOURCES.contains(ManagementServlet.segments(p.substring(OPENAPI_PREFIX.length())).get(0)));
    }

    @Test
    void everyDescribedManagementOperationExistsAndAnswersOnlyWithDescribedStatuses() throws Exception {
        JsonNode paths = openApi().get("paths");
        int checked = 0;
        for (String path : managementPaths()) {
            String concrete = path.replace("{symbolicName}", "no.such.bundle").replace("{jobId}", "999")
                    .replace("{pid}", "test.site").replace("{key}", "no-such-key").replace("{snapshotId}", "999");
            for (java.util.Iterator<String> methods = paths.get(path).fieldNames(); methods.hasNext();) {
                String method = methods.next();
                if (method.equals("parameters")) {
                    continue;
                }
                HttpRequest.Builder request = switch (method) {
                    case "get" -> get(concrete, operator);
                    case "post" -> postJson(concrete, "{}");
                    case "delete" -> delete(concrete);
                    default -> throw new AssertionError("a method the test does not know: " + method);
                };
                HttpResponse<String> r = send(request);
                String what = method.toUpperCase() + " " + concrete + " -> " + r.statusCode() + " " + r.body();
                assertThat(r.body()).as(what).doesNotContain("no management resource").doesNotContain("is not allowed on");
                assertThat(paths.get(path).get(method).get("responses").has(String.valueOf(r.statusCode()))).as(what)
                        .isTrue();
                checked++;
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(16);
        assertThat(management.jobs()).as("the checks started no job").isEmpty();
    }

    private static final String OPENAPI_PREFIX = "/api/management/";

    private static JsonNode openApi() throws Exception {
        try (java.io.InputStream in = GuardedServer.class.getResourceAsStream("openapi.json")) {
            assertThat(in).as("the HTTP bundle's OpenAPI description").isNotNull();
            return ManagementServlet.JSON.readTree(in);
        }
    }

    private static List<String> managementPaths() throws Exception {
        List<String> out = new java.util.ArrayList<>();
        openApi().get("paths").fieldNames().forEachRemaining(p -> {
            if (p.startsWith(OPENAPI_PREFIX)) {
                out.add(p);
            }
        });
        assertThat(out).isNotEmpty();
        return out;
    }

    /** What is left in the uploads' directory. */
    private List<Path> uploadsLeft() throws Exception {
        if (!java.nio.file.Files.isDirectory(uploads)) {
            return List.of();
        }
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(uploads)) {
            return files.toList();
        }
    }

    @Test
    void aSecondJobWhileOneRunsIsRefusedWith409() throws Exception {
        unhealthy = "the test holds health back";
        byte[] jar = TestBundles.marker(SVC, "1.1.0", true);
        String first = json(send(upload(jar, TestBundles.sha256(jar), operator))).get("id").asText();
        awaitState(first, "AWAITING_HEALTH");
        JsonNode current = json(send(get("/api/management/jobs/current", operator)));
        assertThat(current.get("id").asText()).isEqualTo(first);

        byte[] other = TestBundles.marker(SVC, "1.2.0", true);
        HttpResponse<String> second = send(upload(other, TestBundles.sha256(other), operator));
        assertThat(second.statusCode()).isEqualTo(409);
        assertThat(json(second).get("reason").asText()).isEqualTo("BUSY");
        assertThat(json(second).get("error").asText()).contains("job " + first + " is AWAITING_HEALTH");
        HttpResponse<String> rollback = send(postJson("/api/management/snapshots/1/rollback", "{}"));
        assertThat(rollback.statusCode()).isEqualTo(409);

        unhealthy = null;
        assertThat(awaitEnd(first).get("state").asText()).isEqualTo("COMMITTED");
        assertThat(json(send(get("/api/management/jobs", operator)))).hasSize(1);
    }

    @Test
    void healthThatNeverReturnsRollsTheUpdateBack() throws Exception {
        unhealthy = "the site is not ready";
        byte[] jar = TestBundles.marker(SVC, "1.1.0", true);
        JsonNode job = awaitEnd(json(send(upload(jar, TestBundles.sha256(jar), operator))).get("id").asText());
        assertThat(job.get("state").asText()).isEqualTo("ROLLED_BACK");
        assertThat(job.get("outcome").asText()).contains("not healthy within 2 s: the site is not ready");
        assertThat(bundle(SVC).getVersion()).hasToString("1.0.0");
    }

    // ---- configuration, snapshots, channel ----

    @Test
    void configurationIsShownChangedWithValidationAndKeysRemoved() throws Exception {
        assertThat(json(send(get("/api/management/configurations", operator))).findValuesAsText("pid"))
                .doesNotContain("test.site");
        HttpResponse<String> changed = send(postJson("/api/management/configurations/test.site",
                "{\"set\":{\"port\":9100,\"requiredParts\":[\"store\",\"upstream\"],\"secret\":\"s3cret\"}}"));
        assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
        JsonNode props = json(changed).get("properties");
        assertThat(props.get("port").asInt()).isEqualTo(9100);
        assertThat(props.get("requiredParts").toString()).isEqualTo("[\"store\",\"upstream\"]");
        assertThat(props.get("secret").asText()).isEqualTo("********");
        assertThat(json(send(get("/api/management/configurations", operator))).findValuesAsText("pid"))
                .contains("test.site");
        JsonNode shown = json(send(get("/api/management/configurations/test.site", operator)));
        assertThat(shown.get("properties").get("port").asInt()).isEqualTo(9100);

        HttpResponse<String> invalid = send(postJson("/api/management/configurations/test.site",
                "{\"set\":{\"port\":70000,\"colour\":\"blue\"}}"));
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(json(invalid).get("error").asText()).contains("unknown key 'colour'", "port = '70000'");
        assertThat(send(postJson("/api/management/configurations/test.site", "{\"set\":[1]}")).statusCode())
                .isEqualTo(400);
        assertThat(send(postJson("/api/management/configurations/test.site", "{}")).statusCode()).isEqualTo(400);

        HttpResponse<String> removed = send(HttpRequest.newBuilder(uri("/api/management/configurations/test.site/port"))
                .header("Authorization", "Bearer " + operator).DELETE());
        assertThat(removed.statusCode()).isEqualTo(200);
        assertThat(json(removed).get("properties").has("port")).isFalse();
        assertThat(send(get("/api/management/configurations/no.such.pid", operator)).statusCode()).isEqualTo(404);
    }

    @Test
    void snapshotsAreTakenListedAndRolledBackTo() throws Exception {
        assertThat(send(postJson("/api/management/configurations/test.site", "{\"set\":{\"port\":9100}}"))
                .statusCode()).isEqualTo(200);
        HttpResponse<String> taken = send(postJson("/api/management/snapshots", "{\"reason\":\"before the visit\"}"));
        assertThat(taken.statusCode()).isEqualTo(201);
        String id = json(taken).get("id").asText();
        assertThat(send(postJson("/api/management/configurations/test.site", "{\"set\":{\"port\":9200}}"))
                .statusCode()).isEqualTo(200);
        JsonNode list = json(send(get("/api/management/snapshots", operator)));
        assertThat(list.findValuesAsText("reason")).contains("before the visit", "before changing test.site");

        HttpResponse<String> rolled = send(postJson("/api/management/snapshots/" + id + "/rollback", "{}"));
        assertThat(rolled.statusCode()).as(rolled.body()).isEqualTo(200);
        assertThat(json(rolled).get("rolledBackTo").asText()).isEqualTo(id);
        assertThat(json(send(get("/api/management/configurations/test.site", operator))).get("properties")
                .get("port").asInt()).isEqualTo(9100);
        assertThat(send(postJson("/api/management/snapshots/999/rollback", "{}")).statusCode()).isEqualTo(404);
    }

    @Test
    void withoutAReleaseChannelItsResourcesSaySo() throws Exception {
        HttpResponse<String> state = send(get("/api/management/channel", operator));
        assertThat(state.statusCode()).isEqualTo(404);
        assertThat(json(state).get("error").asText()).contains("no release channel is configured");
        assertThat(send(postJson("/api/management/channel/poll", "{}")).statusCode()).isEqualTo(404);
    }

    // ---- uninstall ----

    @Test
    void aBundleIsUninstalledByAJobUnlessCoreOrRequired() throws Exception {
        Bundle lib = felix.context().installBundle("chargeedge:dist/test.lib", new ByteArrayInputStream(
                TestBundles.marker("test.lib", "1.0.0", Map.of("Export-Package", "test.lib.api"))));
        Bundle user = felix.context().installBundle("test:user", new ByteArrayInputStream(
                TestBundles.marker("test.user", "1.0.0", Map.of("Import-Package", "org.osgi.framework,test.lib.api"))));
        user.start();
        HttpResponse<String> required = send(delete("/api/management/bundles/test.lib"));
        assertThat(required.statusCode()).isEqualTo(422);
        assertThat(json(required).get("error").asText()).isEqualTo("test.lib is required by test.user; uninstall"
                + " those first, or update it instead");
        HttpResponse<String> framework = send(delete("/api/management/bundles/org.apache.felix.framework"));
        assertThat(framework.statusCode()).isEqualTo(422);
        assertThat(json(framework).get("error").asText()).contains("the framework");
        assertThat(send(delete("/api/management/bundles/no.such.bundle")).statusCode()).isEqualTo(404);
        assertThat(management.jobs()).isEmpty();

        JsonNode gone = awaitEnd(json(send(delete("/api/management/bundles/test.user"))).get("id").asText());
        assertThat(gone.get("state").asText()).isEqualTo("COMMITTED");
        assertThat(gone.get("bundles").get(0).get("source").asText()).isEqualTo("uninstall");
        assertThat(bundle("test.user")).isNull();
        JsonNode libGone = awaitEnd(json(send(delete("/api/management/bundles/test.lib"))).get("id").asText());
        assertThat(libGone.get("state").asText()).isEqualTo("COMMITTED");
        assertThat(lib.getState()).isEqualTo(Bundle.UNINSTALLED);
        // a bundle of the distribution stays away at the next start
        assertThat(new RemovedBundles(dir.resolve("data/management/removed-bundles")).read()).containsExactly("test.lib");
    }

    @Test
    void anUninstallAfterWhichHealthDoesNotReturnIsRolledBackFromTheCopy() throws Exception {
        unhealthy = "Site ready: the store is missing";
        JsonNode job = awaitEnd(json(send(delete("/api/management/bundles/" + SVC))).get("id").asText());
        assertThat(job.get("state").asText()).isEqualTo("ROLLED_BACK");
        Bundle back = bundle(SVC);
        assertThat(back).isNotNull();
        assertThat(back.getLocation()).isEqualTo("chargeedge:dist/" + SVC);
        assertThat(back.getVersion()).hasToString("1.0.0");
        assertThat(back.getState()).isEqualTo(Bundle.ACTIVE);
        assertThat(new RemovedBundles(dir.resolve("data/management/removed-bundles")).read()).isEmpty();
    }

    // ---- factory reset ----

    @Test
    void aFactoryResetNeedsConfirmationNoJobAndThenStopsTheGatewayWithTheRequestOnDisk() throws Exception {
        java.nio.file.Path marker = dir.resolve("data/management/factory-reset");
        HttpResponse<String> unconfirmed = send(postJson("/api/management/factory-reset", "{}"));
        assertThat(unconfirmed.statusCode()).isEqualTo(400);
        assertThat(json(unconfirmed).get("error").asText()).contains("confirm");
        assertThat(send(get("/api/management/factory-reset", viewer)).statusCode()).isEqualTo(403);

        unhealthy = "held back by the test";
        byte[] jar = TestBundles.marker(SVC, "1.1.0", true);
        String running = json(send(upload(jar, TestBundles.sha256(jar), operator))).get("id").asText();
        awaitState(running, "AWAITING_HEALTH");
        HttpResponse<String> busy = send(postJson("/api/management/factory-reset", "{\"confirm\":true}"));
        assertThat(busy.statusCode()).isEqualTo(409);
        assertThat(json(busy).get("error").asText()).contains("job " + running + " is running");
        assertThat(java.nio.file.Files.exists(marker)).isFalse();
        unhealthy = null;
        awaitEnd(running);

        HttpResponse<String> reset = send(postJson("/api/management/factory-reset", "{\"confirm\":true}"));
        assertThat(reset.statusCode()).isEqualTo(202);
        assertThat(java.nio.file.Files.readString(marker)).startsWith("requested by http (operator from 127.0.0.1) at ");
        HttpResponse<String> late = send(upload(jar, TestBundles.sha256(jar), operator));
        assertThat(late.statusCode()).as("no job after a reset was asked for").isEqualTo(503);
        assertThat(felix.stopsWithin(10_000)).as("the gateway stops for the reset").isTrue();
    }

    // ---- helpers ----

    private void assertReadsAnswer(String token, int status, String error) throws Exception {
        for (String path : List.of("/api/management/bundles", "/api/management/jobs",
                "/api/management/configurations/test.site", "/api/management/snapshots")) {
            HttpResponse<String> r = send(get(path, token));
            assertThat(r.statusCode()).as(path).isEqualTo(status);
            assertThat(json(r).get("error").asText()).isEqualTo(error);
        }
    }

    private Bundle bundle(String bsn) {
        for (Bundle b : felix.context().getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
    }

    private static JsonNode find(JsonNode bundles, String bsn) {
        for (JsonNode b : bundles) {
            if (b.get("symbolicName").asText().equals(bsn)) {
                return b;
            }
        }
        throw new AssertionError(bsn + " not in " + bundles);
    }

    private JsonNode awaitEnd(String id) throws Exception {
        return awaitState(id, null);
    }

    /** Polls the job over HTTP until it is in {@code state}, or final when null. */
    private JsonNode awaitState(String id, String state) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonNode job = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = send(get("/api/management/jobs/" + id, operator));
            assertThat(r.statusCode()).isEqualTo(200);
            job = json(r);
            String now = job.get("state").asText();
            boolean ended = List.of("COMMITTED", "FAILED", "ROLLED_BACK", "ROLLBACK_FAILED").contains(now);
            if (state == null ? ended && management.currentJob().isEmpty() : now.equals(state)) {
                return job;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("job " + id + " did not reach " + (state == null ? "its end" : state) + ": " + job);
    }

    private URI uri(String path) {
        return URI.create(server.base() + path);
    }

    private HttpRequest.Builder get(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).GET();
        return token == null ? b : b.header("Authorization", "Bearer " + token);
    }

    private HttpRequest.Builder upload(byte[] jar, String sha256, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri("/api/management/bundles?sha256=" + sha256))
                .header("Content-Type", "application/java-archive").POST(HttpRequest.BodyPublishers.ofByteArray(jar));
        return token == null ? b : b.header("Authorization", "Bearer " + token);
    }

    private HttpRequest.Builder postJson(String path, String body) {
        return HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + operator)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private HttpRequest.Builder delete(String path) {
        return HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + operator).DELETE();
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return ManagementServlet.JSON.readTree(response.body());
    }
}
