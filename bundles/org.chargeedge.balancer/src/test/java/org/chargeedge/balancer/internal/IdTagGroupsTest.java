package org.chargeedge.balancer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Constructor;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.chargeedge.api.authorization.AuthorizationCache;
import org.chargeedge.api.authorization.AuthorizationRepository;
import org.chargeedge.api.authorization.LocalAuthorizationList;
import org.chargeedge.api.balancer.BalancerStatus.Connector;
import org.chargeedge.api.charger.SiteView;
import org.chargeedge.ocpp.v16.AuthorizationData;
import org.chargeedge.ocpp.v16.AuthorizationStatus;
import org.chargeedge.ocpp.v16.IdTagInfo;
import org.chargeedge.ocpp.v16.SendLocalListRequest;
import org.chargeedge.ocpp.v16.UpdateStatus;
import org.chargeedge.ocpp.v16.UpdateType;
import org.chargeedge.store.internal.SqliteStore;
import org.chargeedge.store.internal.TestStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;

/**
 * Priority classes by idTag group on a real site (central system over WebSockets, simulated chargers), with
 * parentIdTags from the real local authorization (its list and cache on the real store). The grid leaves 10 A to
 * the chargers: one car at a time.
 */
class IdTagGroupsTest {

    @TempDir
    Path dir;
    TestSite site;
    SqliteStore store;
    BalancerService service;

    @AfterEach
    void close() throws Exception {
        if (site != null) {
            site.close();
        }
        if (store != null) {
            TestStores.close(store);
        }
    }

    private void site(Map<String, Object> overrides) throws Exception {
        Map<String, Object> config = new HashMap<>(Map.of("gridLimitA", 10.0, "safeBudgetA", 0.0,
                "minIntervalMillis", 50, "rampUpIntervalSeconds", 1, "rampUpStepA", 32.0, "siteConnectors", 2));
        config.putAll(overrides);
        site = new TestSite(dir, config);
        service = new BalancerService(site.controller);
    }

    @Test
    void aFleetSessionGetsItsShareBeforeTheOthersWhenNotEveryoneFits() throws Exception {
        site(Map.of("idTagGroups", "FLEET=fleet, TAG-VIP=premium", "groupPriority", "fleet=10, premium=5"));
        Object auth = localAuthorization();
        site.controller.groups().use(() -> (LocalAuthorizationList) auth, () -> (AuthorizationCache) auth);
        // the fleet's card is known by its parentIdTag in the local list
        assertThat(((LocalAuthorizationList) auth).update(new SendLocalListRequest(1, List.of(new AuthorizationData(
                "TAG-CP-F", new IdTagInfo(null, "FLEET", AuthorizationStatus.Accepted))), UpdateType.Full)))
                .isEqualTo(UpdateStatus.Accepted);

        site.charger("CP-A", 3, 32, Duration.ZERO).start();
        site.until("the first car charges", () -> limit("CP-A") == 10);
        site.charger("CP-F", 3, 32, Duration.ZERO).start();
        site.until("the fleet car takes the room", () -> limit("CP-F") == 10 && limit("CP-A") == 0);
        Connector fleet = service.connector("CP-F", 1).orElseThrow();
        assertThat(fleet.group()).isEqualTo("fleet");
        assertThat(fleet.priority()).isEqualTo(10);
        Connector other = service.connector("CP-A", 1).orElseThrow();
        assertThat(other.group()).isNull();
        assertThat(other.priority()).isZero();
        assertThat(new BalanceCommands().balanceOf(site.controller))
                .contains("group fleet (10, parentIdTag FLEET), priority 10");
        site.until("the fleet charger is told", () -> site.chargers.get(1).lastTxProfile() != null
                && site.chargers.get(1).lastTxProfile().limit() == 10);
    }

    @Test
    void withoutGroupsTheCarChargingKeepsItsTurn() throws Exception {
        site(Map.of());
        site.charger("CP-A", 3, 32, Duration.ZERO).start();
        site.until("the first car charges", () -> limit("CP-A") == 10);
        site.charger("CP-F", 3, 32, Duration.ZERO).start();
        site.until("the second car is seen", () -> service.connector("CP-F", 1).map(c -> c.transactionId() != null)
                .orElse(false));
        Thread.sleep(500); // several runs
        assertThat(limit("CP-A")).isEqualTo(10);
        assertThat(limit("CP-F")).isZero();
        assertThat(service.connector("CP-F", 1).orElseThrow().group()).isNull();
    }

    @Test
    void aSessionsGroupIsItsIdTagsElseItsParentsFromTheListThenTheCache() throws Exception {
        Object auth = localAuthorization();
        LocalAuthorizationList list = (LocalAuthorizationList) auth;
        AuthorizationCache cache = (AuthorizationCache) auth;
        list.update(new SendLocalListRequest(1, List.of(
                new AuthorizationData("CARD-1", new IdTagInfo(null, "FLEET", AuthorizationStatus.Accepted)),
                new AuthorizationData("VIP-1", new IdTagInfo(null, "FLEET", AuthorizationStatus.Accepted))),
                UpdateType.Full));
        cache.put("CARD-2", new IdTagInfo(Instant.now().plusSeconds(3600), "fleet", AuthorizationStatus.Accepted));
        SessionGroups groups = new SessionGroups();
        groups.use(() -> list, () -> cache);
        IdTagGroups config = IdTagGroups.parse("Fleet=fleet, vip-1=premium", "fleet=10, premium=20");

        assertThat(groups.groupOf("CARD-1", config)).isEqualTo(new SessionGroups.Group("fleet", 10,
                "parentIdTag FLEET"));
        // from the cache (idTags compare without regard to case)
        assertThat(groups.groupOf("card-2", config)).isEqualTo(new SessionGroups.Group("fleet", 10,
                "parentIdTag fleet"));
        // its own idTag's group wins over its parent's
        assertThat(groups.groupOf("VIP-1", config)).isEqualTo(new SessionGroups.Group("premium", 20, "idTag VIP-1"));
        assertThat(groups.groupOf("STRANGER", config)).isNull();
        // without the authorization services only idTags themselves are found
        SessionGroups alone = new SessionGroups();
        assertThat(alone.groupOf("CARD-1", config)).isNull();
        assertThat(alone.groupOf("vip-1", config).name()).isEqualTo("premium");
    }

    @Test
    void mistakesInTheConfigurationAreNamed() {
        assertThatThrownBy(() -> settings("FLEET", "fleet=10"))
                .hasMessage("idTagGroups: 'FLEET' is not IDTAG=GROUP");
        assertThatThrownBy(() -> settings("FLEET=flet", "fleet=10, premium=5"))
                .hasMessage("idTagGroups: 'FLEET=flet': group flet has no priority in groupPriority "
                        + "(it names fleet, premium)");
        assertThatThrownBy(() -> settings("FLEET=fleet", ""))
                .hasMessage("idTagGroups: 'FLEET=fleet': group fleet has no priority in groupPriority");
        assertThatThrownBy(() -> settings("FLEET=fleet", "fleet=high"))
                .hasMessage("groupPriority: 'fleet=high': 'high' is not a whole number (higher is served first)");
        assertThatThrownBy(() -> settings("", "fleet="))
                .hasMessage("groupPriority: 'fleet=' is not GROUP=PRIORITY");
        assertThatThrownBy(() -> settings("", "fleet=1, fleet=2"))
                .hasMessage("groupPriority: group fleet is named twice");
        assertThatThrownBy(() -> settings("FLEET=fleet, fleet=premium", "fleet=1, premium=2"))
                .hasMessage("idTagGroups: fleet is in two groups, fleet and premium");
        SiteSettings ok = settings(" FLEET = fleet ,", "fleet = 10");
        assertThat(ok.idTagGroups().groupOf("fleet")).isEqualTo("fleet");
        assertThat(ok.idTagGroups().priorityOf("fleet")).isEqualTo(10);
        assertThat(settings("", "").idTagGroups().isEmpty()).isTrue();
    }

    private static SiteSettings settings(String idTagGroups, String groupPriority) {
        return SiteSettings.from(TestSite.config(Map.of("idTagGroups", idTagGroups, "groupPriority", groupPriority)));
    }

    private double limit(String charger) {
        return service.connector(charger, 1).map(Connector::limitA).orElse(-1.0);
    }

    /**
     * The authorization bundle's own component (list and cache) over the real store, built as DS would build it:
     * its configuration type is internal to its bundle, so it is given its defaults through a proxy.
     */
    private Object localAuthorization() throws Exception {
        store = TestStores.open(dir.resolve("auth.db"));
        Class<?> type = Class.forName("org.chargeedge.authorization.internal.LocalAuthorization");
        Class<?> configType = Class.forName("org.chargeedge.authorization.internal.Config");
        Object config = Proxy.newProxyInstance(configType.getClassLoader(), new Class<?>[] {configType},
                (proxy, method, args) -> method.getName().equals("annotationType") ? configType
                        : method.getDefaultValue());
        BundleContext context = (BundleContext) Proxy.newProxyInstance(BundleContext.class.getClassLoader(),
                new Class<?>[] {BundleContext.class}, (proxy, method, args) -> null);
        Constructor<?> c = type.getConstructor(configType, AuthorizationRepository.class, SiteView.class,
                BundleContext.class);
        c.setAccessible(true);
        return c.newInstance(config, store, site == null ? null : site.centralSystem.siteView(), context);
    }
}
