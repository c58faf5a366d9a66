package org.chargeedge.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.chargeedge.centralsystem.internal.CentralSystemHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Who gets in, over real HTTP: unauthenticated calls, the wrong role, tokens,
 * browser sessions with their cookie flags and CSRF token, the login throttle,
 * users kept on disk.
 */
class AuthenticationTest {

    @TempDir
    Path dir;
    CentralSystemHarness centralSystem;
    ApiServer api;
    String viewerToken;
    String operatorToken;

    @BeforeEach
    void start() throws Exception {
        centralSystem = new CentralSystemHarness(dir.resolve("cs"));
        api = new ApiServer(dir, SiteServices.of(centralSystem.siteView(), centralSystem.commands(), null, null, null,
                null), Map.of("loginFailuresAllowed", 3));
        api.gatekeeper.users().addUser("olga", Role.OPERATOR, "operator-password-1");
        api.gatekeeper.users().addUser("victor", Role.VIEWER, "viewer-password-12");
        viewerToken = api.gatekeeper.users().addToken("grafana", Role.VIEWER);
        operatorToken = api.gatekeeper.users().addToken("fleet script", Role.OPERATOR);
    }

    @AfterEach
    void stop() throws Exception {
        api.close();
        centralSystem.close();
    }

    @Test
    void withoutCredentialsOnlyLoginHealthAndTheDescriptionAnswer() throws Exception {
        for (String path : new String[] {"/api/site", "/api/chargers", "/metrics", "/api/me", "/api/sessions.csv"}) {
            HttpResponse<String> r = api.send(api.get(path, null));
            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(json(r).get("error").asText()).contains("log in");
            assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"chargeedge\"");
        }
        assertThat(api.send(api.post("/api/access/accept", null, "{\"chargePointId\":\"X\"}")).statusCode())
                .isEqualTo(401);
        assertThat(api.send(api.get("/health", null)).statusCode()).isIn(200, 503);
        assertThat(api.send(api.get("/api/openapi.json", null)).statusCode()).isEqualTo(200);
    }

    @Test
    void tokensCarryTheirRole() throws Exception {
        assertThat(api.send(api.get("/api/site", viewerToken)).statusCode()).isEqualTo(200);
        HttpResponse<String> refused = api.send(api.post("/api/chargers/CP-1/calls/Reset", viewerToken,
                "{\"type\":\"Soft\"}"));
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(json(refused).get("error").asText()).isEqualTo("this needs the operator role; grafana is a viewer");
        // the operator gets past the filter: the charger is unknown, which is the API's answer, not the filter's
        HttpResponse<String> passed = api.send(api.post("/api/chargers/CP-1/calls/Reset", operatorToken,
                "{\"type\":\"Soft\"}"));
        assertThat(passed.statusCode()).isEqualTo(404);
        assertThat(json(passed).get("error").asText()).contains("no charger CP-1");
    }

    @Test
    void aWrongRevokedOrNonBearerCredentialIsRefused() throws Exception {
        String tampered = operatorToken.substring(0, operatorToken.length() - 2) + "xx";
        assertThat(api.send(api.get("/api/site", tampered)).statusCode()).isEqualTo(401);
        assertThat(api.send(api.get("/api/site", "ce_00000000_abc")).statusCode()).isEqualTo(401);
        String id = operatorToken.substring(3, 11);
        assertThat(api.gatekeeper.users().revokeToken(id)).isTrue();
        assertThat(api.send(api.get("/api/site", operatorToken)).statusCode()).isEqualTo(401);
        HttpResponse<String> basic = api.send(api.get("/api/site", null)
                .header("Authorization", "Basic b2xnYTpvcGVyYXRvci1wYXNzd29yZC0x"));
        assertThat(basic.statusCode()).isEqualTo(401);
        assertThat(json(basic).get("error").asText()).contains("Bearer");
    }

    @Test
    void aBrowserSessionHasASafeCookieAndNeedsItsCsrfTokenToChangeAnything() throws Exception {
        HttpResponse<String> login = login("olga", "operator-password-1");
        assertThat(login.statusCode()).isEqualTo(200);
        String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).startsWith("CE_SESSION=").contains("HttpOnly", "SameSite=Strict", "Path=/")
                .doesNotContain("Secure"); // plain HTTP: a Secure cookie would never come back
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        String csrf = json(login).get("csrfToken").asText();
        assertThat(json(login).get("role").asText()).isEqualTo("operator");

        HttpResponse<String> me = api.send(api.get("/api/me", null).header("Cookie", cookie));
        assertThat(me.statusCode()).isEqualTo(200);
        assertThat(json(me).get("csrfToken").asText()).isEqualTo(csrf);

        String reset = "{\"type\":\"Soft\"}";
        HttpResponse<String> noCsrf = api.send(api.post("/api/chargers/CP-1/calls/Reset", null, reset)
                .header("Cookie", cookie));
        assertThat(noCsrf.statusCode()).isEqualTo(403);
        assertThat(json(noCsrf).get("error").asText()).contains("X-CSRF-Token");
        HttpResponse<String> wrongCsrf = api.send(api.post("/api/chargers/CP-1/calls/Reset", null, reset)
                .header("Cookie", cookie).header("X-CSRF-Token", csrf + "x"));
        assertThat(wrongCsrf.statusCode()).isEqualTo(403);
        HttpResponse<String> withCsrf = api.send(api.post("/api/chargers/CP-1/calls/Reset", null, reset)
                .header("Cookie", cookie).header("X-CSRF-Token", csrf));
        assertThat(withCsrf.statusCode()).isEqualTo(404); // past the filter

        HttpResponse<String> logout = api.send(api.post("/api/logout", null, "{}").header("Cookie", cookie)
                .header("X-CSRF-Token", csrf));
        assertThat(logout.statusCode()).isEqualTo(200);
        assertThat(api.send(api.get("/api/me", null).header("Cookie", cookie)).statusCode()).isEqualTo(401);
    }

    @Test
    void aViewerSessionReadsAndMayLogOutButNotAct() throws Exception {
        HttpResponse<String> login = login("victor", "viewer-password-12");
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        String csrf = json(login).get("csrfToken").asText();
        assertThat(api.send(api.get("/api/chargers", null).header("Cookie", cookie)).statusCode()).isEqualTo(200);
        assertThat(api.send(api.post("/api/access/commissioning", null, "{\"minutes\":5}").header("Cookie", cookie)
                .header("X-CSRF-Token", csrf)).statusCode()).isEqualTo(403);
        assertThat(api.send(api.post("/api/logout", null, "{}").header("Cookie", cookie)
                .header("X-CSRF-Token", csrf)).statusCode()).isEqualTo(200);
    }

    @Test
    void failedLoginsAreRefusedThenLockedWhileTheRightPasswordStillFailsDuringTheLock() throws Exception {
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = login("olga", "wrong-password-" + i);
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(json(r).get("error").asText()).isEqualTo("wrong user name or password");
        }
        HttpResponse<String> locked = login("olga", "operator-password-1");
        assertThat(locked.statusCode()).isEqualTo(429);
        assertThat(locked.headers().firstValue("Retry-After")).isPresent();
        // the address is locked too: another name from it waits as well
        assertThat(login("victor", "viewer-password-12").statusCode()).isEqualTo(429);
    }

    @Test
    void anUnknownUserIsRefusedLikeAWrongPassword() throws Exception {
        HttpResponse<String> r = login("nobody", "some-password-123");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(json(r).get("error").asText()).isEqualTo("wrong user name or password");
    }

    @Test
    void badLoginRequestsGetClearErrors() throws Exception {
        HttpResponse<String> notJson = api.send(api.post("/api/login", null, "{user: olga"));
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(json(notJson).get("error").asText()).startsWith("the request body is not valid JSON");
        HttpResponse<String> missing = api.send(api.post("/api/login", null, "{\"user\":\"olga\"}"));
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(json(missing).get("error").asText()).isEqualTo("'password' is missing");
        HttpResponse<String> form = api.send(api.post("/api/login", null, "user=olga")
                .setHeader("Content-Type", "application/x-www-form-urlencoded"));
        assertThat(form.statusCode()).isEqualTo(415);
    }

    @Test
    void usersAndTokensSurviveARestartAndNoSecretIsWritten() throws Exception {
        String file = Files.readString(dir.resolve("users.json"));
        assertThat(file).contains("olga", "$2y$10$").doesNotContain("operator-password-1")
                .doesNotContain(operatorToken.substring(12));
        api.close();
        api = new ApiServer(dir, SiteServices.of(centralSystem.siteView(), centralSystem.commands(), null, null, null,
                null), Map.of());
        assertThat(login("olga", "operator-password-1").statusCode()).isEqualTo(200);
        assertThat(api.send(api.get("/api/site", operatorToken)).statusCode()).isEqualTo(200);
    }

    @Test
    void weakPasswordsAndBadNamesAreRefused() {
        UserDirectory users = api.gatekeeper.users();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> users.addUser("eve", Role.VIEWER, "short"))
                .hasMessageContaining("at least 12");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> users.addUser("a b", Role.VIEWER,
                "long-enough-password")).hasMessageContaining("user name");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> users.addUser("olga", Role.VIEWER,
                "long-enough-password")).hasMessageContaining("exists");
    }

    private HttpResponse<String> login(String user, String password) throws Exception {
        return api.send(api.post("/api/login", null, "{\"user\":\"" + user + "\",\"password\":\"" + password + "\"}"));
    }

    static JsonNode json(HttpResponse<String> response) throws Exception {
        return Json.MAPPER.readTree(response.body());
    }
}
