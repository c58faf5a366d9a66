package org.chargeedge.http.internal;

import java.io.IOException;
import java.util.stream.Collectors;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code chargeedge:user} and {@code chargeedge:token}: the HTTP API's users
 * and API tokens, from the shell of the gateway's own machine (how the first
 * user is made). A password the shell generates, and every token, is printed
 * once and kept nowhere.
 */
@Component(service = UserCommands.class, property = {
        "osgi.command.scope=chargeedge",
        "osgi.command.function=user",
        "osgi.command.function=token"})
public class UserCommands {

    private final Gatekeeper gatekeeper;

    @Activate
    public UserCommands(@Reference Gatekeeper gatekeeper) {
        this.gatekeeper = gatekeeper;
    }

    @Descriptor("HTTP API users: list | add NAME viewer|operator [PASSWORD] | passwd NAME [PASSWORD]"
            + " | role NAME viewer|operator | remove NAME (no PASSWORD: a random one is printed)")
    public String user(@Descriptor("list, add, passwd, role or remove") String action,
                       @Descriptor("arguments") String... args) throws IOException {
        UserDirectory users = gatekeeper.users();
        try {
            switch (action) {
                case "list":
                    if (users.state().users().isEmpty()) {
                        return "No user yet: chargeedge:user add NAME operator";
                    }
                    return users.state().users().values().stream()
                            .map(u -> String.format("%-24s %-9s since %s", u.name(), u.role().label(), u.created()))
                            .collect(Collectors.joining("\n"));
                case "add": {
                    need(args, 2, "chargeedge:user add NAME viewer|operator [PASSWORD]");
                    String password = args.length > 2 ? args[2] : users.generatePassword();
                    users.addUser(args[0], Role.parse(args[1]), password);
                    return "User " + args[0] + " (" + Role.parse(args[1]).label() + ") added"
                            + (args.length > 2 ? "" : "; password: " + password + " (shown only now)");
                }
                case "passwd": {
                    need(args, 1, "chargeedge:user passwd NAME [PASSWORD]");
                    String password = args.length > 1 ? args[1] : users.generatePassword();
                    users.setPassword(args[0], password);
                    gatekeeper.sessions().closeAll(args[0]);
                    return "Password of " + args[0] + " changed, its sessions ended"
                            + (args.length > 1 ? "" : "; new password: " + password + " (shown only now)");
                }
                case "role":
                    need(args, 2, "chargeedge:user role NAME viewer|operator");
                    users.setRole(args[0], Role.parse(args[1]));
                    gatekeeper.sessions().closeAll(args[0]);
                    return "User " + args[0] + " is now " + Role.parse(args[1]).label() + ", its sessions ended";
                case "remove":
                    need(args, 1, "chargeedge:user remove NAME");
                    if (!users.removeUser(args[0])) {
                        return "No user " + args[0];
                    }
                    gatekeeper.sessions().closeAll(args[0]);
                    return "User " + args[0] + " removed, its sessions ended";
                default:
                    return "Unknown action " + action + ": list, add, passwd, role or remove";
            }
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    @Descriptor("HTTP API tokens for scripts and Prometheus: list | add LABEL viewer|operator | revoke ID")
    public String token(@Descriptor("list, add or revoke") String action,
                        @Descriptor("arguments") String... args) throws IOException {
        UserDirectory users = gatekeeper.users();
        try {
            switch (action) {
                case "list":
                    if (users.state().tokens().isEmpty()) {
                        return "No API token";
                    }
                    return users.state().tokens().values().stream()
                            .map(t -> String.format("%-10s %-9s %-30s since %s", t.id(), t.role().label(), t.label(),
                                    t.created()))
                            .collect(Collectors.joining("\n"));
                case "add": {
                    need(args, 2, "chargeedge:token add LABEL viewer|operator");
                    String token = users.addToken(args[0], Role.parse(args[1]));
                    return "Token for " + args[0] + " (" + Role.parse(args[1]).label() + "): " + token
                            + "\nShown only now; send it as 'Authorization: Bearer TOKEN'";
                }
                case "revoke":
                    need(args, 1, "chargeedge:token revoke ID");
                    return users.revokeToken(args[0]) ? "Token " + args[0] + " revoked" : "No token " + args[0];
                default:
                    return "Unknown action " + action + ": list, add or revoke";
            }
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static void need(String[] args, int count, String usage) {
        if (args.length < count) {
            throw new IllegalArgumentException("Usage: " + usage);
        }
    }
}
