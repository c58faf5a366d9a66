package org.chargeedge.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import org.chargeedge.api.balancer.ChargingMode;
import org.chargeedge.api.charger.ChargerAccess;
import org.chargeedge.balancer.internal.TestBalancer;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.handshake.ServerHandshake;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The dashboard in a real browser (Debian's chromium, headless, through
 * chromium-driver) against a real site: the central system with chargers
 * speaking OCPP-J over WebSockets, the store, and the API in Jetty. One
 * browser serves the whole class; each test logs in afresh. Screenshots of
 * the site page are kept in {@code target/dashboard-screenshots/}.
 */
class DashboardBrowserTest extends RealSiteTestBase {

    static final Path SCREENSHOTS = Path.of("target", "dashboard-screenshots");
    static ChromeDriver browser;

    @BeforeAll
    static void startBrowser(@TempDir Path profile) throws Exception {
        browser = chromium(profile);
        Files.createDirectories(SCREENSHOTS);
    }

    /** Debian's chromium, headless, through its chromium-driver: named explicitly, nothing downloaded. */
    static ChromeDriver chromium(Path profile) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(new File("/usr/bin/chromium"));
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1280,900");
        options.setCapability("goog:loggingPrefs", java.util.Map.of("browser", "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
        return driver;
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @BeforeEach
    void usersAndAccess() throws Exception {
        api.gatekeeper.users().addUser("olga", Role.OPERATOR, "operator-password-1");
        api.gatekeeper.users().addUser("victor", Role.VIEWER, "viewer-password-12");
        site.access = (ChargerAccess) centralSystem.siteView();
        browser.get(api.base + "/ui/login.html");
        browser.manage().deleteAllCookies();
    }

    @Test
    void aWrongPasswordShowsAnErrorAndTheRightOneOpensTheSite() throws Exception {
        browser.get(api.base + "/ui/");
        until(ExpectedConditions.urlContains("/ui/login.html"));
        logIn("olga", "not-the-password");
        WebElement error = browser.findElement(By.id("error"));
        until(d -> !error.getText().isEmpty());
        assertThat(error.getText()).isEqualTo("wrong user name or password");
        assertThat(browser.getCurrentUrl()).contains("/ui/login.html");

        logIn("olga", "operator-password-1");
        until(ExpectedConditions.urlToBe(api.base + "/ui/"));
        assertThat(text(card("CP-1"), ".status")).isEqualTo("Available");
        assertThat(browser.findElement(By.id("who")).getText()).isEqualTo("olga (operator)");
        screenshot("site-after-login");

        browser.findElement(By.id("logout")).click();
        until(ExpectedConditions.urlContains("/ui/login.html"));
        browser.get(api.base + "/ui/");
        until(ExpectedConditions.urlContains("/ui/login.html"));
    }

    @Test
    void aChargerAppearsWhenItConnectsAndItsStatusChangesLive() throws Exception {
        logInAs("olga", "operator-password-1");
        card("CP-1");
        // a marker that a reload would lose: the page must change without loading again
        js().executeScript("window.notReloaded = true;");
        try (TestCharger second = new TestCharger(centralSystem.url("CP-2"))) {
            WebElement fresh = card("CP-2");
            assertThat(fresh.findElement(By.className("state")).getText()).startsWith("never booted");
            second.call("BootNotification", "{\"chargePointVendor\":\"Acme\",\"chargePointModel\":\"Wallbox 11\"}");
            second.call("StatusNotification", "{\"connectorId\":1,\"errorCode\":\"NoError\",\"status\":\"Preparing\"}");
            until(d -> "Preparing".equals(statusOf("CP-2")));

            charger.call("StatusNotification", "{\"connectorId\":1,\"errorCode\":\"NoError\",\"status\":\"Charging\"}");
            until(d -> "Charging".equals(statusOf("CP-1")));
            charger.call("MeterValues", "{\"connectorId\":1,\"meterValue\":[{\"timestamp\":\"2026-05-01T10:00:00Z\","
                    + "\"sampledValue\":[{\"value\":\"7.4\",\"measurand\":\"Power.Active.Import\",\"unit\":\"kW\"}]}]}");
            until(d -> "7.4 kW".equals(text(card("CP-1"), ".power")));
            assertThat(browser.findElement(By.id("count")).getText()).isEqualTo("2 of 2 chargers connected");
            assertThat(browser.findElement(By.id("flow-chargers")).getText()).contains("7.4 kW");
            screenshot("site-live");
            // a phone in a car park: one column, nothing wider than the screen
            browser.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
            try {
                until(d -> Boolean.TRUE.equals(js().executeScript(
                        "return document.documentElement.scrollWidth <= window.innerWidth")));
                screenshot("site-phone");
            } finally {
                browser.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 900));
            }
        }
        until(d -> text(card("CP-2"), ".state").startsWith("disconnected"));
        assertThat(browser.findElement(By.id("count")).getText()).isEqualTo("1 of 2 chargers connected");
        assertThat(js().executeScript("return window.notReloaded === true")).isEqualTo(true);
    }

    @Test
    void anOperatorStartsAndStopsASessionFromTheChargerPage() throws Exception {
        logInAs("olga", "operator-password-1");
        browser.get(api.base + "/ui/charger.html?id=CP-1");
        WebElement connector = until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector(".connector-box[data-connector-id='1']")));
        connector.findElement(By.className("idtag")).sendKeys("TAG-7");
        connector.findElement(By.className("start")).click();
        JsonNode start = charger.nextReceived();
        assertThat(start.get(2).asText()).isEqualTo("RemoteStartTransaction");
        assertThat(start.get(3).get("idTag").asText()).isEqualTo("TAG-7");
        assertThat(start.get(3).get("connectorId").asInt()).isEqualTo(1);
        until(d -> d.findElement(By.id("result")).getText().equals("RemoteStartTransaction: Accepted"));

        int id = charger.call("StartTransaction", "{\"connectorId\":1,\"idTag\":\"TAG-7\",\"meterStart\":1000,"
                + "\"timestamp\":\"2026-05-01T10:00:00Z\"}").get("transactionId").asInt();
        charger.call("StatusNotification", "{\"connectorId\":1,\"errorCode\":\"NoError\",\"status\":\"Charging\"}");
        WebElement stop = until(ExpectedConditions.elementToBeClickable(By.cssSelector(
                ".connector-box[data-connector-id='1'] button.stop")));
        assertThat(browser.findElement(By.cssSelector(".transaction")).getText()).contains("Session " + id)
                .contains("TAG-7");
        stop.click();
        JsonNode stopCall = charger.nextReceived();
        assertThat(stopCall.get(2).asText()).isEqualTo("RemoteStopTransaction");
        assertThat(stopCall.get(3).get("transactionId").asInt()).isEqualTo(id);
        charger.call("StopTransaction", "{\"transactionId\":" + id + ",\"meterStop\":8500,"
                + "\"timestamp\":\"2026-05-01T11:30:00Z\",\"reason\":\"Remote\",\"idTag\":\"TAG-7\"}");
        until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector(".transaction")));
        until(d -> d.findElement(By.id("sessions")).getText().contains("7.50 kWh"));

        // a refusal is explained in words, as the last problem
        charger.answers.put("UnlockConnector", "{\"status\":\"UnlockFailed\"}");
        browser.findElement(By.cssSelector(".connector-box[data-connector-id='1'] button.unlock")).click();
        until(d -> d.findElement(By.id("result")).getText().startsWith("UnlockConnector: The charger tried"));
        assertThat(browser.findElement(By.id("last-problem")).getText()).contains("UnlockConnector refused");
    }

    @Test
    void sessionsExportAsCsvForADateRangeAndACharger() throws Exception {
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        int id = charger.call("StartTransaction", "{\"connectorId\":1,\"idTag\":\"TAG-9\",\"meterStart\":200,"
                + "\"timestamp\":\"" + today + "T00:00:01Z\"}").get("transactionId").asInt();
        charger.call("StopTransaction", "{\"transactionId\":" + id + ",\"meterStop\":4200,"
                + "\"timestamp\":\"" + today + "T00:30:00Z\",\"reason\":\"Local\",\"idTag\":\"TAG-9\"}");
        logInAs("victor", "viewer-password-12");
        browser.get(api.base + "/ui/sessions.html");
        until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-transaction-id='" + id + "']")));
        until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#chargePointId option[value='CP-1']")));

        js().executeScript("document.getElementById('from').value = arguments[0];"
                + "document.getElementById('to').value = arguments[0];", today);
        browser.findElement(By.id("idTag")).sendKeys("TAG-9");
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("chargePointId"))).selectByValue("CP-1");
        browser.findElement(By.cssSelector("#filter button[type=submit]")).click();
        until(d -> d.findElement(By.id("csv")).getAttribute("href").contains("idTag=TAG-9"));
        String href = browser.findElement(By.id("csv")).getAttribute("href");
        assertThat(href).contains("from=" + today).contains("to=" + today).contains("chargePointId=CP-1");
        // the bytes of the export are SiteApiTest's; here: the browser's session fetches the right rows
        String csv = fetchInBrowser(href).replace("\r\n", "\n");
        assertThat(csv).isEqualTo((SessionsCsv.HEADER + id + ",CP-1,1,TAG-9," + today + "T00:00:01Z," + today
                + "T00:30:00Z,200,4200,4000,Local,TAG-9\r\n").replace("\r\n", "\n"));
        assertThat(browser.findElement(By.id("total")).getText()).isEqualTo("1 session, 4.00 kWh in finished ones");

        browser.findElement(By.id("idTag")).clear();
        browser.findElement(By.id("idTag")).sendKeys("SOMEONE-ELSE");
        browser.findElement(By.cssSelector("#filter button[type=submit]")).click();
        until(d -> d.findElement(By.id("list")).getText().equals("No sessions in this range."));
        assertThat(fetchInBrowser(browser.findElement(By.id("csv")).getAttribute("href")).replace("\r\n", "\n"))
                .isEqualTo(SessionsCsv.HEADER.replace("\r\n", "\n"));
    }

    @Test
    void aViewerSeesNoActionButtonsAndTheApiRefusesThemAnyway() throws Exception {
        // two readings before the page opens: the live snapshot holds only the newer one, the store both
        java.time.Instant now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        for (int minutesAgo : new int[] {10, 5}) {
            charger.call("MeterValues", "{\"connectorId\":1,\"meterValue\":[{\"timestamp\":\""
                    + now.minusSeconds(60L * minutesAgo) + "\",\"sampledValue\":[{\"value\":\"" + minutesAgo
                    + "\",\"measurand\":\"Power.Active.Import\",\"unit\":\"kW\"}]}]}");
        }
        logInAs("victor", "viewer-password-12");
        browser.get(api.base + "/ui/charger.html?id=CP-1");
        until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".connector-box[data-connector-id='1']")));
        until(d -> d.findElement(By.id("facts")).getText().contains("Acme Wallbox 22"));
        until(d -> d.findElements(By.cssSelector("#chart circle")).size() == 2);
        assertThat(browser.findElements(By.cssSelector("main button"))).isEmpty();
        assertThat(browser.findElement(By.id("actions")).isDisplayed()).isFalse();
        Object status = js().executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "fetch('/api/me').then(r => r.json()).then(me => fetch('/api/chargers/CP-1/calls/Reset', {"
                + " method: 'POST', headers: {'Content-Type': 'application/json', 'X-CSRF-Token': me.csrfToken},"
                + " body: '{\"type\":\"Soft\"}'})).then(r => done(r.status), e => done(String(e)));");
        assertThat(status).isEqualTo(403L);
        assertThat(charger.received).isEmpty();
    }

    @Test
    void diagnosticsExplainARefusedPathAndAChargerThatNeverBooted() throws Exception {
        try (TestCharger silent = new TestCharger(centralSystem.url("CP-SILENT"))) {
            refusedHandshake("ws://127.0.0.1:" + centralSystem.port() + "/");
            logInAs("olga", "operator-password-1");
            browser.get(api.base + "/ui/diagnostics.html");
            WebElement refusal = until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#refusals .refusal")));
            assertThat(refusal.findElement(By.className("title")).getText()).isEqualTo("Wrong OCPP URL");
            assertThat(refusal.getText()).contains("Check the OCPP server URL in the charger");
            assertThat(browser.findElement(By.id("unbooted")).getText()).contains("CP-SILENT")
                    .contains("sent no BootNotification");
            assertThat(browser.findElement(By.id("unbooted")).getText()).doesNotContain("CP-1");
            assertThat(browser.findElement(By.id("site")).getText()).contains("The site is ready");
            // the event log tells the same in order: CP-1 booted, then CP-SILENT connected and said nothing
            WebElement log = until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#eventlog ol.events")));
            List<WebElement> events = log.findElements(By.tagName("li"));
            assertThat(events.get(0).getText()).contains("CP-SILENT: Connected from");
            assertThat(log.getText()).contains("CP-1: Booted: Acme Wallbox 22").contains("CP-1: Connector 1 is Available");
        }
    }

    @Test
    void refusedConfigurationALocalListThatFailedAndASilentMqttInputAreExplained() throws Exception {
        charger.answers.put("ChangeConfiguration", "{\"status\":\"NotSupported\"}");
        charger.answers.put("SendLocalList", "{\"status\":\"Failed\"}");
        String token = api.gatekeeper.users().addToken("installer script", Role.OPERATOR);
        assertThat(api.send(api.post("/api/chargers/CP-1/calls/ChangeConfiguration", token,
                "{\"key\":\"VendorTurbo\",\"value\":\"on\"}")).statusCode()).isEqualTo(200);
        assertThat(api.send(api.post("/api/chargers/CP-1/calls/SendLocalList", token,
                "{\"listVersion\":2,\"updateType\":\"Full\",\"localAuthorizationList\":[]}")).statusCode())
                .isEqualTo(200);
        site.mqtt = () -> new org.chargeedge.api.mqtt.MqttStatus.Connection("tcp://broker.local:1883", true,
                java.time.Instant.now().minusSeconds(600), 0, null, null, 3, 0, 0, List.of("solar/ac/power"),
                List.of(new org.chargeedge.api.mqtt.MqttStatus.Input("pv.cfg", null, List.of("solar/ac/power"), 3,
                        java.time.Instant.now().minusSeconds(300), Duration.ofSeconds(300), Duration.ofSeconds(30),
                        true, List.of(), "")));
        logInAs("victor", "viewer-password-12");

        browser.get(api.base + "/ui/charger.html?id=CP-1");
        WebElement findings = until(ExpectedConditions.presenceOfElementLocated(By.id("findings-list")));
        assertThat(findings.getText()).contains("Local list not stored (version 2)")
                .contains("Push the full list again").contains("Key not supported: VendorTurbo");

        browser.get(api.base + "/ui/diagnostics.html");
        WebElement all = until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#charger-findings li")));
        assertThat(browser.findElement(By.id("charger-findings")).getText()).contains("CP-1")
                .contains("Key not supported: VendorTurbo");
        assertThat(all.findElement(By.tagName("a")).getAttribute("href")).endsWith("charger.html?id=CP-1");
        WebElement mqtt = until(ExpectedConditions.presenceOfElementLocated(By.id("mqtt-inputs")));
        assertThat(browser.findElement(By.id("mqtt-broker")).getText()).startsWith("Connected to tcp://broker.local:1883");
        assertThat(mqtt.getText()).contains("pv.cfg").contains("its values stay valid: they are unknown");
    }

    /** A charger not back since the gateway started has no card; the summary names it and what it counts at. */
    @Test
    void aChargerNotBackSinceTheStartIsNamedInTheSummary() throws Exception {
        charger.answers.put("GetConfiguration", "{\"configurationKey\":[]}");
        org.chargeedge.store.internal.SqliteStore store = org.chargeedge.store.internal.TestStores.open(
                dir.resolve("balancer.db"));
        try (TestBalancer balancer = new TestBalancer(centralSystem.siteView(), centralSystem.commands(),
                Map.of("safeBudgetA", 10.0))) {
            Instant at = Instant.now();
            store.saveSentProfile(new org.chargeedge.api.store.BalancerMemory.SentProfile("CP-9", 1, 99, 16,
                    at.plusSeconds(300), at, 0, null, at)).toCompletableFuture().get();
            site.balancerStatus = balancer.service;
            site.balancerModes = balancer.service;
            balancer.remember(store);
            SiteApiTest.waitFor(() -> balancer.service.connector("CP-9", 1).isPresent());
            logInAs("olga", "operator-password-1");
            WebElement notBack = until(ExpectedConditions.presenceOfElementLocated(By.id("not-back")));
            assertThat(notBack.getText()).isEqualTo("not back since the gateway started: CP-9/1, charger offline: "
                    + "counted at its last limit 16.0 A until its fallback applies");
            assertThat(browser.findElements(By.cssSelector("article.card[data-charge-point-id='CP-9']"))).isEmpty();
        } finally {
            site.balancerStatus = null;
            site.balancerModes = null;
            org.chargeedge.store.internal.TestStores.close(store);
        }
    }

    @Test
    void anOperatorSchedulesASessionAndThePageRefusesAPastDepartureOrNoEnergy() throws Exception {
        charger.answers.put("GetConfiguration", "{\"configurationKey\":[]}");
        int tx = charger.call("StartTransaction", "{\"connectorId\":1,\"idTag\":\"TAG-5\",\"meterStart\":0,"
                + "\"timestamp\":\"" + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "\"}").get("transactionId")
                .asInt();
        charger.call("StatusNotification", "{\"connectorId\":1,\"errorCode\":\"NoError\",\"status\":\"Charging\"}");
        // the browser in a zone of its own (and a half-hour offset): the page converts its local time itself
        ZoneId zone = ZoneId.of("Asia/Kolkata");
        try (TestBalancer balancer = new TestBalancer(centralSystem.siteView(), centralSystem.commands(), Map.of());
             TestBalancer off = new TestBalancer(centralSystem.siteView(), centralSystem.commands(),
                     Map.of("enabled", false))) {
            site.balancerStatus = balancer.service;
            site.balancerModes = balancer.service;
            SiteApiTest.waitFor(() -> balancer.service.connector("CP-1", 1).isPresent());
            browser.executeCdpCommand("Emulation.setTimezoneOverride", Map.of("timezoneId", zone.getId()));
            logInAs("olga", "operator-password-1");
            String modes = "article.card[data-charge-point-id='CP-1'] .mode-row[data-connector-id='1'] ";
            new org.openqa.selenium.support.ui.Select(until(ExpectedConditions.presenceOfElementLocated(
                    By.cssSelector(modes + "select.mode")))).selectByValue("Scheduled");
            By departure = By.cssSelector(modes + "form.scheduled input.departure");
            By energy = By.cssSelector(modes + "form.scheduled input.energy");
            By apply = By.cssSelector(modes + "form.scheduled button.apply-scheduled");
            String offered = until(ExpectedConditions.presenceOfElementLocated(departure)).getDomProperty("value");
            assertThat(offered).as("the next 07:00 in the browser's zone").endsWith("T07:00");
            assertThat(LocalDateTime.parse(offered).atZone(zone).toInstant()).isAfter(Instant.now());
            assertThat(browser.switchTo().activeElement().getAttribute("class")).isEqualTo("departure");
            js().executeScript("window.puts = []; const f = window.fetch; window.fetch = (url, o) => {"
                    + " if (o && o.method === 'PUT') window.puts.push(o.body); return f(url, o); };");

            DateTimeFormatter local = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm");
            type(departure, LocalDateTime.now(zone).minusHours(1).format(local));
            type(energy, "12.5");
            browser.findElement(apply).click();
            until(d -> d.findElement(By.id("notice")).getText().endsWith("is not in the future"));
            assertThat(browser.findElement(By.id("notice")).getText()).startsWith("Mode not set: the departure time ");
            assertThat(browser.findElement(departure).getAttribute("aria-invalid")).isEqualTo("true");

            LocalDateTime leaves = LocalDate.now(zone).plusDays(1).atTime(6, 30);
            type(departure, leaves.format(local));
            type(energy, "0");
            browser.findElement(apply).click();
            until(d -> d.findElement(By.id("notice")).getText()
                    .equals("Mode not set: the energy target must be above 0 and at most 200 kWh"));
            assertThat(browser.switchTo().activeElement().getAttribute("class")).isEqualTo("energy");
            screenshot("site-scheduled-refused");
            assertThat(js().executeScript("return window.puts.length")).as("refused in the page").isEqualTo(0L);

            // the API's refusal, from a balancer that is turned off
            site.balancerModes = off.service;
            type(energy, "12.5");
            browser.findElement(apply).click();
            until(d -> d.findElement(By.id("notice")).getText().equals("Mode not set: load balancing is off"));
            assertThat(browser.findElement(apply).isEnabled()).as("the form stays for another try").isTrue();

            site.balancerModes = balancer.service;
            browser.findElement(energy).sendKeys(Keys.ENTER); // the keyboard's way: Enter applies
            until(d -> d.findElement(By.id("notice")).getText().startsWith("CP-1 #1: Scheduled, 12.5 kWh by "));
            Instant expected = leaves.atZone(zone).toInstant();
            assertThat(js().executeScript("return window.puts[1]")).isEqualTo("{\"mode\":\"Scheduled\","
                    + "\"departure\":\"" + expected.toString().replace("Z", ".000Z") + "\",\"energyKWh\":12.5}");
            SiteApiTest.waitFor(() -> balancer.service.connector("CP-1", 1)
                    .filter(c -> c.mode() == ChargingMode.SCHEDULED && expected.equals(c.departure())).isPresent());
            assertThat(balancer.service.connector("CP-1", 1).orElseThrow().energyNeededWh()).isEqualTo(12_500.0);
            // the page reads the balancer again: the form closes and the session's departure and need show
            WebElement now = until(ExpectedConditions.presenceOfElementLocated(
                    By.cssSelector(modes + ".scheduled-now")));
            assertThat(now.getText()).contains("leaves ").contains("12.5 kWh still needed");
            assertThat(browser.findElements(By.cssSelector(modes + "form.scheduled"))).isEmpty();
            screenshot("site-scheduled");
            // the session charges 2.5 kWh (its register, from meter start 0): 10 kWh still needed, the target stays
            charger.call("MeterValues", "{\"connectorId\":1,\"transactionId\":" + tx + ",\"meterValue\":[{"
                    + "\"timestamp\":\"" + Instant.now() + "\",\"sampledValue\":[{\"value\":\"2500\"}]}]}");
            SiteApiTest.waitFor(() -> balancer.service.connector("CP-1", 1).map(c -> c.energyNeededWh())
                    .filter(wh -> wh == 10_000).isPresent());
            browser.navigate().refresh(); // the page reads the balancer as it opens, whenever the balancer ran
            until(d -> d.findElement(By.cssSelector(modes + ".scheduled-now")).getText()
                    .contains("10 kWh still needed"));
            browser.findElement(By.cssSelector(modes + "button.change-scheduled")).click();
            assertThat(until(ExpectedConditions.presenceOfElementLocated(departure)).getDomProperty("value"))
                    .as("changing starts from the departure the balancer has").isEqualTo(leaves.format(local));
            assertThat(browser.findElement(energy).getDomProperty("value"))
                    .as("and from the target set, not what is still needed").isEqualTo("12.5");
            assertThat(browser.findElement(By.cssSelector(modes + "form.scheduled p.hint")).getText())
                    .startsWith("Now 10 kWh still needed. ");
            // the charger page has the same controls
            browser.get(api.base + "/ui/charger.html?id=CP-1");
            String facts = "dd[data-field='Mode'] .mode-row[data-connector-id='1'] ";
            assertThat(until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(facts + ".scheduled-now")))
                    .getText()).contains("10 kWh still needed");
            browser.findElement(By.cssSelector(facts + "button.change-scheduled")).click();
            By factsDeparture = By.cssSelector(facts + "form.scheduled input.departure");
            assertThat(until(ExpectedConditions.presenceOfElementLocated(factsDeparture)).getDomProperty("value"))
                    .isEqualTo(leaves.format(local));
            assertThat(browser.findElement(By.cssSelector(facts + "form.scheduled input.energy"))
                    .getDomProperty("value")).isEqualTo("12.5");
            screenshot("charger-scheduled");

            logInAs("victor", "viewer-password-12");
            WebElement shown = until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(
                    "article.card[data-charge-point-id='CP-1'] .modes span.mode")));
            assertThat(shown.getText()).startsWith("Scheduled: leaves ").endsWith(", 10 kWh still needed");
            assertThat(browser.findElements(By.cssSelector("article.card select, article.card input"))).isEmpty();
        } finally {
            browser.executeCdpCommand("Emulation.setTimezoneOverride", Map.of("timezoneId", ""));
        }
    }

    /** Sets an input's value as typing would (a datetime-local's keys depend on the browser's locale). */
    private void type(By input, String value) {
        js().executeScript("arguments[0].value = arguments[1];"
                + "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));", browser.findElement(input), value);
    }

    /** A WebSocket handshake (offering ocpp1.6) the central system refuses; waits for its answer. */
    private static void refusedHandshake(String url) throws Exception {
        WebSocketClient client = new WebSocketClient(java.net.URI.create(url), new org.java_websocket.drafts.Draft_6455(
                List.of(), List.<org.java_websocket.protocols.IProtocol>of(
                        new org.java_websocket.protocols.Protocol("ocpp1.6")))) {
            @Override
            public void onOpen(ServerHandshake handshake) {
            }

            @Override
            public void onMessage(String message) {
            }

            @Override
            public void onClose(int code, String reason, boolean remote) {
            }

            @Override
            public void onError(Exception ex) {
            }
        };
        assertThat(client.connectBlocking(5, java.util.concurrent.TimeUnit.SECONDS)).isFalse();
    }

    // ---- helpers ----------------------------------------------------------------------------

    private void logIn(String user, String password) {
        WebElement name = until(ExpectedConditions.elementToBeClickable(By.id("user")));
        name.clear();
        name.sendKeys(user);
        browser.findElement(By.id("password")).clear();
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.id("submit")).click();
    }

    private void logInAs(String user, String password) {
        browser.get(api.base + "/ui/login.html");
        logIn(user, password);
        until(ExpectedConditions.urlToBe(api.base + "/ui/"));
    }

    private WebElement card(String chargePointId) {
        return until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("article.card[data-charge-point-id='" + chargePointId + "']")));
    }

    private String statusOf(String chargePointId) {
        List<WebElement> found = browser.findElements(By.cssSelector("article.card[data-charge-point-id='"
                + chargePointId + "'] .status"));
        try {
            return found.isEmpty() ? null : found.get(0).getText();
        } catch (org.openqa.selenium.StaleElementReferenceException e) {
            return null; // redrawn meanwhile
        }
    }

    private static String text(WebElement parent, String css) {
        return parent.findElement(By.cssSelector(css)).getText();
    }

    private String fetchInBrowser(String url) {
        return (String) js().executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "fetch(arguments[0]).then(r => r.text()).then(done, e => done('failed: ' + e));", url);
    }

    private static JavascriptExecutor js() {
        return browser;
    }

    private static <T> T until(java.util.function.Function<? super org.openqa.selenium.WebDriver, T> condition) {
        try {
            return new WebDriverWait(browser, Duration.ofSeconds(10))
                    .ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(condition);
        } catch (org.openqa.selenium.TimeoutException e) {
            // what the page showed and logged: the reason is usually there
            StringBuilder log = new StringBuilder();
            browser.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER)
                    .forEach(entry -> log.append('\n').append(entry.getLevel()).append(' ').append(entry.getMessage()));
            throw new AssertionError(e.getMessage() + "\nat " + browser.getCurrentUrl() + "\npage:\n"
                    + browser.findElement(By.tagName("body")).getText() + "\nbrowser log:" + log, e);
        }
    }

    private static void screenshot(String name) throws Exception {
        File shot = browser.getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }
}
