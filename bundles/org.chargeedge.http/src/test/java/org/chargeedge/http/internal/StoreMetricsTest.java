package org.chargeedge.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** The store's commits and size at /metrics, measured by the real store the charger's messages go to. */
class StoreMetricsTest extends RealSiteTestBase {

    @Test
    void commitsAreAHistogramThatGrowsWithTheChargersMessagesAndGoneWithoutAStore() throws Exception {
        String before = api.send(api.get("/metrics", viewer)).body();
        assertThat(before).contains("# TYPE chargeedge_store_commit_seconds histogram")
                .contains("chargeedge_store_failed_commits_total 0.0");
        long size = (long) value(before, "chargeedge_store_size_bytes");
        assertThat(size).isPositive();
        long commits = (long) value(before, "chargeedge_store_commit_seconds_count");

        // MeterValues are answered only once committed: each of these is at least one more commit.
        for (int i = 0; i < 3; i++) {
            charger.call("MeterValues", "{\"connectorId\":1,\"meterValue\":[{\"timestamp\":\"2026-05-01T10:0" + i
                    + ":00Z\",\"sampledValue\":[{\"value\":\"" + (1000 + i) + "\"}]}]}");
        }
        String after = api.send(api.get("/metrics", viewer)).body();
        long more = (long) value(after, "chargeedge_store_commit_seconds_count");
        assertThat(more).isGreaterThanOrEqualTo(commits + 3);
        assertThat(value(after, "chargeedge_store_commit_seconds_bucket{le=\"+Inf\"}")).isEqualTo(more);
        assertThat(value(after, "chargeedge_store_commit_seconds_sum")).isPositive();
        assertThat(more).isEqualTo(store.statistics().commits());

        site.store = null; // as DS unbinds it while the store bundle is updated
        String metrics = api.send(api.get("/metrics", viewer)).body();
        assertThat(metrics).contains("chargeedge_chargers_connected 1.0")
                .doesNotContain("chargeedge_store_commit_seconds").doesNotContain("chargeedge_store_size_bytes");
    }

    /** The value of a sample line, by its name and labels as exposed. */
    static double value(String metrics, String sample) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(sample) + " (\\S+)$").matcher(metrics);
        assertThat(m.find()).as(sample + " in\n" + metrics).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
