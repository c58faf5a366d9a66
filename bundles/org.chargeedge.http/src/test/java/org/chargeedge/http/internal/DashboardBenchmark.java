package org.chargeedge.http.internal;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.chargeedge.centralsystem.internal.CentralSystemHarness;
import org.chargeedge.store.internal.SqliteStore;
import org.chargeedge.store.internal.TestStores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Prints figures, asserts nothing (command and results in docs/benchmarks.md;
 * skipped unless {@code -Dbenchmark=true}): with N chargers connected over
 * real WebSockets (booted, one connector Available), the latency of
 * {@code GET /api/site} and {@code GET /api/chargers} (p50/p99, one client in
 * turn), and the dashboard's site page in headless chromium, from navigation
 * to every charger's card drawn: the first load and the mean of later ones.
 */
class DashboardBenchmark {

    @TempDir
    Path dir;

    @Test
    @EnabledIfSystemProperty(named = "benchmark", matches = "true")
    void printFigures() throws Exception {
        int chargers = Integer.getInteger("benchmark.chargers", 1000);
        int requests = Integer.getInteger("benchmark.requests", 500);
        SqliteStore store = TestStores.open(dir.resolve("store.db"));
        try (CentralSystemHarness cs = new CentralSystemHarness(dir.resolve("cs"))) {
            cs.addHandler(TestStores.handler(store), TestStores.HANDLER_RANKING, "BootNotification",
                    "StatusNotification", "StartTransaction", "MeterValues", "StopTransaction");
            SiteServices site = SiteServices.of(cs.siteView(), cs.commands(), store, null, null, null);
            try (ApiServer api = new ApiServer(dir, site, Map.of())) {
                String token = api.gatekeeper.users().addToken("benchmark", Role.VIEWER);
                api.gatekeeper.users().addUser("bench", Role.OPERATOR, "benchmark-password-1");
                long t0 = System.nanoTime();
                List<WebSocket> sockets = connect(cs, chargers);
                System.out.printf("%d chargers connected and booted in %.1f s%n", sockets.size(),
                        (System.nanoTime() - t0) / 1e9);
                for (String path : List.of("/api/site", "/api/chargers")) {
                    latency(api, token, path, requests / 5); // warm-up
                    double[] ms = latency(api, token, path, requests);
                    System.out.printf("GET %-13s %d requests: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", path, requests,
                            ms[ms.length / 2], ms[(int) (ms.length * 0.99)], ms[ms.length - 1]);
                }
                dashboard(api, chargers);
                for (WebSocket s : sockets) {
                    s.abort();
                }
            }
        } finally {
            TestStores.close(store);
        }
    }

    private void dashboard(ApiServer api, int chargers) throws Exception {
        ChromeDriver browser = DashboardBrowserTest.chromium(dir.resolve("profile"));
        try {
            browser.get(api.base + "/ui/login.html");
            browser.findElement(By.id("user")).sendKeys("bench");
            browser.findElement(By.id("password")).sendKeys("benchmark-password-1");
            browser.findElement(By.id("submit")).click();
            new WebDriverWait(browser, Duration.ofSeconds(60)).until(d -> d.getCurrentUrl().endsWith("/ui/"));
            browser.get("about:blank");
            double first = load(browser, api, chargers);
            double sum = 0;
            int repeats = 5;
            for (int i = 0; i < repeats; i++) {
                sum += load(browser, api, chargers);
            }
            System.out.printf("dashboard site page with %d cards: first load %.0f ms, later loads %.0f ms (mean of %d)%n",
                    chargers, first, sum / repeats, repeats);
        } finally {
            browser.quit();
        }
    }

    /** Navigation start to the last card drawn, in ms, as the page's own clock says. */
    private static double load(ChromeDriver browser, ApiServer api, int chargers) {
        browser.get(api.base + "/ui/");
        new WebDriverWait(browser, Duration.ofSeconds(60)).pollingEvery(Duration.ofMillis(20))
                .until(d -> d.findElements(By.cssSelector("article.card")).size() >= chargers);
        Object ms = browser.executeScript("return performance.now()");
        return ((Number) ms).doubleValue();
    }

    private static double[] latency(ApiServer api, String token, String path, int n) throws Exception {
        double[] ms = new double[n];
        HttpRequest request = api.get(path, token).timeout(Duration.ofSeconds(30)).build();
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            HttpResponse<byte[]> r = api.client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            ms[i] = (System.nanoTime() - t) / 1e6;
            if (r.statusCode() != 200) {
                throw new IllegalStateException(path + " answered " + r.statusCode());
            }
        }
        Arrays.sort(ms);
        return ms;
    }

    /** N chargers over the JDK's WebSocket client (one selector thread for all): BootNotification, status. */
    private static List<WebSocket> connect(CentralSystemHarness cs, int n) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        List<WebSocket> sockets = new ArrayList<>();
        List<CompletableFuture<?>> booted = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Charger charger = new Charger();
            WebSocket socket = client.newWebSocketBuilder().subprotocols("ocpp1.6")
                    .buildAsync(URI.create(cs.url(String.format("BENCH-%04d", i))), charger).get(30, TimeUnit.SECONDS);
            sockets.add(socket);
            booted.add(charger.call(socket, "BootNotification",
                    "{\"chargePointVendor\":\"Bench\",\"chargePointModel\":\"B1\"}")
                    .thenCompose(x -> charger.call(socket, "StatusNotification",
                            "{\"connectorId\":1,\"errorCode\":\"NoError\",\"status\":\"Available\"}")));
        }
        CompletableFuture.allOf(booted.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        return sockets;
    }

    /**
     * A charger that sends calls and completes them on any answer; it receives no calls in this benchmark.
     * Calls are made by the main thread and, chained, by the client's selector thread: the counter and the
     * send chain are guarded by the charger's monitor.
     */
    private static final class Charger implements WebSocket.Listener {
        /** Written by the caller's thread, completed on the client's selector thread. */
        private final Map<String, CompletableFuture<String>> pending = new ConcurrentHashMap<>();
        private int next;
        /** The last send: the JDK's WebSocket takes one send at a time. */
        private CompletableFuture<WebSocket> sending = CompletableFuture.completedFuture(null);
        private final StringBuilder text = new StringBuilder();

        synchronized CompletableFuture<String> call(WebSocket socket, String action, String payload) {
            String id = "c" + next++;
            CompletableFuture<String> answer = new CompletableFuture<>();
            pending.put(id, answer);
            String frame = "[2,\"" + id + "\",\"" + action + "\"," + payload + "]";
            sending = sending.thenCompose(x -> socket.sendText(frame, true));
            return answer;
        }

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                String frame = text.toString();
                text.setLength(0);
                int start = frame.indexOf('"') + 1;
                CompletableFuture<String> f = pending.remove(frame.substring(start, frame.indexOf('"', start)));
                if (f != null) {
                    f.complete(frame);
                }
            }
            socket.request(1);
            return null;
        }
    }
}
