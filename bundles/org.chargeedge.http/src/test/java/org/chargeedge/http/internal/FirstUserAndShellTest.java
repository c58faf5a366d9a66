package org.chargeedge.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The first user, from the environment or the shell; no default password; the shell's user and token commands. */
class FirstUserAndShellTest {

    @TempDir
    Path dir;

    private Gatekeeper start(Map<String, String> environment) throws Exception {
        Gatekeeper g = new Gatekeeper();
        g.start(dir.resolve("users.json"), ApiServer.config(Map.of()), environment, Clock.systemUTC());
        return g;
    }

    @Test
    void noUserShipsAndNobodyGetsIn() throws Exception {
        Gatekeeper g = start(Map.of());
        assertThat(g.users().hasUsers()).isFalse();
        assertThat(g.login("admin", "admin", "127.0.0.1")).isInstanceOf(Gatekeeper.Login.Refused.class);
        assertThat(g.login("admin", "", "127.0.0.1")).isInstanceOf(Gatekeeper.Login.Refused.class);
    }

    @Test
    void theEnvironmentMakesTheFirstOperatorOnceAndNeverOverwritesUsers() throws Exception {
        Gatekeeper g = start(Map.of(Gatekeeper.ADMIN_USER_VARIABLE, "installer",
                Gatekeeper.ADMIN_PASSWORD_VARIABLE, "first-start-password"));
        assertThat(g.users().state().users().get("installer").role()).isEqualTo(Role.OPERATOR);
        assertThat(g.login("installer", "first-start-password", "127.0.0.1"))
                .isInstanceOf(Gatekeeper.Login.Accepted.class);
        g.users().setPassword("installer", "changed-later-password");
        Gatekeeper again = start(Map.of(Gatekeeper.ADMIN_USER_VARIABLE, "installer",
                Gatekeeper.ADMIN_PASSWORD_VARIABLE, "first-start-password"));
        assertThat(again.login("installer", "first-start-password", "127.0.0.1"))
                .isInstanceOf(Gatekeeper.Login.Refused.class);
        assertThat(again.login("installer", "changed-later-password", "127.0.0.2"))
                .isInstanceOf(Gatekeeper.Login.Accepted.class);
    }

    @Test
    void aWeakPasswordInTheEnvironmentMakesNoUser() throws Exception {
        Gatekeeper g = start(Map.of(Gatekeeper.ADMIN_PASSWORD_VARIABLE, "secret"));
        assertThat(g.users().hasUsers()).isFalse();
    }

    @Test
    void theShellManagesUsersAndTokens() throws Exception {
        Gatekeeper g = start(Map.of());
        UserCommands shell = new UserCommands(g);
        assertThat(shell.user("list")).contains("No user yet");
        String added = shell.user("add", "olga", "operator");
        assertThat(added).startsWith("User olga (operator) added; password: ");
        String password = added.substring(added.indexOf("password: ") + 10, added.indexOf(" (shown"));
        assertThat(g.login("olga", password, "127.0.0.1")).isInstanceOf(Gatekeeper.Login.Accepted.class);
        assertThat(shell.user("add", "olga", "viewer")).isEqualTo("user olga exists already");
        assertThat(shell.user("add", "bob", "admin")).contains("role must be one of viewer, operator");
        assertThat(shell.user("add", "bob")).startsWith("Usage:");
        assertThat(shell.user("add", "bob", "viewer", "short")).contains("at least 12");

        BrowserSessions.Session session = ((Gatekeeper.Login.Accepted) g.login("olga", password, "127.0.0.1"))
                .session();
        assertThat(shell.user("role", "olga", "viewer")).contains("now viewer");
        assertThat(g.session(session.id)).isEmpty(); // its sessions ended
        assertThat(shell.user("remove", "olga")).contains("removed");
        assertThat(shell.user("list")).contains("No user yet");

        String token = shell.token("add", "prometheus", "viewer");
        String secret = token.substring(token.indexOf("ce_"), token.indexOf('\n'));
        assertThat(g.token(secret)).hasValueSatisfying(p -> assertThat(p.role()).isEqualTo(Role.VIEWER));
        String id = secret.substring(3, 11);
        assertThat(shell.token("list")).contains(id, "prometheus").doesNotContain(secret.substring(12));
        assertThat(shell.token("revoke", id)).isEqualTo("Token " + id + " revoked");
        assertThat(g.token(secret)).isEmpty();
    }
}
