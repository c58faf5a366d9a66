package org.chargeedge.upstream.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.Test;

class SettingsTest {

    /** A Config with its defaults, overridden by {@code values}. */
    static Config config(Map<String, Object> values) {
        return (Config) Proxy.newProxyInstance(Config.class.getClassLoader(), new Class<?>[] {Config.class},
                (proxy, method, args) -> values.containsKey(method.getName()) ? values.get(method.getName())
                        : method.getDefaultValue());
    }

    @Test
    void withoutAUrlTheComponentOnlyPassesCallsOn() throws Exception {
        UpstreamComponent component = new UpstreamComponent();
        component.csmsProfiles = new org.chargeedge.api.store.CsmsChargingProfiles() {
            @Override
            public java.util.concurrent.CompletionStage<Void> putProfile(org.chargeedge.api.store.CsmsChargingProfile p,
                                                                       java.util.Collection<Integer> replaced) {
                throw new AssertionError("standalone, nothing is set");
            }

            @Override
            public java.util.concurrent.CompletionStage<Void> removeProfiles(String chargePointId,
                                                                           java.util.Collection<Integer> ids) {
                throw new AssertionError("standalone, nothing is cleared");
            }

            @Override
            public java.util.List<org.chargeedge.api.store.CsmsChargingProfile> profiles() {
                return java.util.List.of();
            }
        };
        java.util.List<Object[]> registered = new java.util.ArrayList<>();
        org.osgi.framework.BundleContext context = (org.osgi.framework.BundleContext) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {org.osgi.framework.BundleContext.class},
                (proxy, method, args) -> {
                    if (!method.getName().equals("registerService")) {
                        throw new AssertionError("standalone, the component must not " + method.getName());
                    }
                    registered.add(args);
                    return Proxy.newProxyInstance(getClass().getClassLoader(),
                            new Class<?>[] {org.osgi.framework.ServiceRegistration.class}, (p, m, a) -> null);
                });
        component.activate(config(Map.of()), context);
        assertThat(registered).as("a pass-through handler, the shell commands, and the CSMS's kept profiles (limits"
                + " and their shell command)").extracting(args -> ((Class<?>) args[0]).getSimpleName())
                .containsExactlyInAnyOrder("ChargerCallHandler", "UpstreamShellCommands", "CsmsLimits",
                        "CsmsProfileCommands");
        assertThat(registered).filteredOn(args -> args[0] == org.chargeedge.api.charger.ChargerCallHandler.class)
                .singleElement().satisfies(args -> {
            assertThat(args[0]).isEqualTo(org.chargeedge.api.charger.ChargerCallHandler.class);
            assertThat(((java.util.Dictionary<?, ?>) args[2]).get("chargeedge.site.part")).isEqualTo("upstream");
            org.chargeedge.api.charger.ChargerCallHandler handler = (org.chargeedge.api.charger.ChargerCallHandler) args[1];
            org.chargeedge.ocpp.v16.HeartbeatConfirmation local = new org.chargeedge.ocpp.v16.HeartbeatConfirmation(
                    java.time.Instant.EPOCH);
            assertThat(handler.handle(null, new org.chargeedge.ocpp.v16.HeartbeatRequest(),
                    r -> java.util.concurrent.CompletableFuture.completedFuture(local)).toCompletableFuture().join())
                    .as("the rest of the chain answers").isSameAs(local);
        });
        component.deactivate();
        assertThat(Settings.from(config(Map.of())).standalone()).isTrue();
    }

    @Test
    void theChargePointIdIsAppendedOrSubstituted() {
        assertThat(Settings.from(config(Map.of("url", "ws://csms.example:8180/steve/websocket/CentralSystemService")))
                .uri("CP-1").toString()).isEqualTo("ws://csms.example:8180/steve/websocket/CentralSystemService/CP-1");
        assertThat(Settings.from(config(Map.of("url", "wss://csms.example/ocpp/"))).uri("CP-1").toString())
                .isEqualTo("wss://csms.example/ocpp/CP-1");
        assertThat(Settings.from(config(Map.of("url", "wss://csms.example/{chargePointId}/ocpp16"))).uri("CP-1")
                .toString()).isEqualTo("wss://csms.example/CP-1/ocpp16");
    }

    @Test
    void basicCredentialsPerChargerWinOverTheSitesAndDefaultToTheChargePointIdAsUser() {
        Settings s = Settings.from(config(Map.of("url", "ws://x", "password", "site-secret",
                "chargerPasswords", "CP-2=own, CP-3 = third")));
        assertThat(decode(s.authorization("CP-1").orElseThrow())).isEqualTo("CP-1:site-secret");
        assertThat(decode(s.authorization("CP-2").orElseThrow())).isEqualTo("CP-2:own");
        assertThat(decode(s.authorization("CP-3").orElseThrow())).isEqualTo("CP-3:third");
        assertThat(Settings.from(config(Map.of("url", "ws://x"))).authorization("CP-1")).isEmpty();
    }

    private static String decode(String header) {
        assertThat(header).startsWith("Basic ");
        return new String(Base64.getDecoder().decode(header.substring(6)), StandardCharsets.UTF_8);
    }

    @Test
    void backoffDoublesUpToItsBoundWithJitter() {
        Settings s = Settings.from(config(Map.of("reconnectMinMillis", 1000, "reconnectMaxMillis", 8000)));
        assertThat(s.backoff(1, 0.0)).isEqualTo(Duration.ofMillis(500));
        assertThat(s.backoff(1, 1.0)).isEqualTo(Duration.ofMillis(1000));
        assertThat(s.backoff(3, 1.0)).isEqualTo(Duration.ofMillis(4000));
        assertThat(s.backoff(10, 1.0)).isEqualTo(Duration.ofMillis(8000));
        assertThat(s.backoff(100, 0.5)).isBetween(Duration.ofMillis(4000), Duration.ofMillis(8000));
    }
}
