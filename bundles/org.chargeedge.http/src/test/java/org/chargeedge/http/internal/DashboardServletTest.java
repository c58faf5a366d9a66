package org.chargeedge.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The dashboard's files as the gateway serves them: public (they hold no
 * site data), with their types, a Content-Security-Policy without inline
 * script, revalidation by ETag, and nothing outside the bundle's list.
 */
class DashboardServletTest extends RealSiteTestBase {

    private static final Path SOURCES = Path.of("src/main/resources/org/chargeedge/http/dashboard");

    @Test
    void everyFileIsServedWithoutLoginWithItsTypeAndThePolicy() throws Exception {
        try (Stream<Path> files = Files.list(SOURCES)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .as("every file of the folder is in DashboardServlet.FILES")
                    .isEqualTo(DashboardServlet.FILES.stream().sorted().toList());
        }
        for (String name : DashboardServlet.FILES) {
            HttpResponse<String> r = api.send(api.get("/ui/" + name, null));
            assertThat(r.statusCode()).as(name).isEqualTo(200);
            assertThat(r.body()).as(name).isEqualTo(Files.readString(SOURCES.resolve(name)));
            String type = r.headers().firstValue("Content-Type").orElse("");
            assertThat(type).as(name).startsWith(name.endsWith(".js") ? "text/javascript"
                    : name.endsWith(".css") ? "text/css" : "text/html");
            String policy = r.headers().firstValue("Content-Security-Policy").orElse("");
            assertThat(policy).contains("script-src 'self'").contains("default-src 'none'")
                    .doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
            assertThat(r.headers().firstValue("X-Frame-Options")).contains("DENY");
        }
    }

    @Test
    void pagesHoldNoInlineScriptAndScriptsNeverParseHtml() throws Exception {
        for (String name : DashboardServlet.FILES) {
            String text = Files.readString(SOURCES.resolve(name));
            if (name.endsWith(".html")) {
                Matcher scripts = Pattern.compile("<script([^>]*)>").matcher(text);
                while (scripts.find()) {
                    assertThat(scripts.group(1)).as(name + ": scripts come from files").contains("src=");
                }
                assertThat(text).as(name).doesNotContainPattern("\\son[a-z]+=").doesNotContain("style=");
            } else if (name.endsWith(".js")) {
                assertThat(text).as(name).doesNotContain("innerHTML").doesNotContain("outerHTML")
                        .doesNotContain("insertAdjacentHTML").doesNotContain("document.write").doesNotContain("eval(");
            }
        }
    }

    @Test
    void theIndexAnswersForTheFolderAndUnchangedFilesAre304() throws Exception {
        HttpResponse<String> index = api.send(api.get("/ui/", null));
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.body()).contains("<script type=\"module\" src=\"site.js\">");
        for (String start : List.of("/ui", "/")) {
            HttpResponse<String> bare = api.send(api.get(start, null));
            assertThat(bare.statusCode()).as(start).isEqualTo(302);
            assertThat(bare.headers().firstValue("Location").orElse("")).as(start).endsWith("/ui/");
        }
        String etag = index.headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> again = api.send(api.get("/ui/index.html", null).header("If-None-Match", etag));
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        HttpResponse<String> other = api.send(api.get("/ui/app.js", null).header("If-None-Match", etag));
        assertThat(other.statusCode()).isEqualTo(200);
    }

    @Test
    void onlyTheListedFilesAreServedAndTheApiStillNeedsALogin() throws Exception {
        for (String path : List.of("/ui/missing.html", "/ui/../api/site", "/ui/%2e%2e/api/site",
                "/ui/DashboardServlet.class", "/ui/org/chargeedge/http/internal/openapi.json")) {
            HttpResponse<String> r = api.send(api.get(path, null));
            assertThat(r.statusCode()).as(path).isIn(400, 401, 404);
            assertThat(r.body()).as(path).doesNotContain("\"readiness\"").doesNotContain("\"openapi\"");
        }
        assertThat(api.send(api.get("/api/site", null)).statusCode()).isEqualTo(401);
        // the root is public for its redirect only: other paths it catches need a login, then are unknown
        for (String path : List.of("/index.html", "/metrics/../api/site", "/%2e%2e/api/site", "/anything")) {
            HttpResponse<String> r = api.send(api.get(path, null));
            assertThat(r.statusCode()).as(path).isIn(400, 401, 404);
            assertThat(r.body()).as(path).doesNotContain("\"readiness\"");
        }
        HttpResponse<String> unknown = api.send(api.get("/anything", viewer));
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("no such resource: /anything");
        HttpResponse<String> post = api.send(api.post("/ui/index.html", null, "{}"));
        assertThat(post.statusCode()).isEqualTo(405);
    }
}
