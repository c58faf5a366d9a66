package org.chargeedge.mqtt.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.chargeedge.api.energy.PriceSeries.Interval;
import org.junit.jupiter.api.Test;

/** The price payloads read, and the malformed ones refused with what is wrong. */
class PricePayloadTest {

    static final Instant NOW = Instant.parse("2026-05-04T10:17:00Z");
    static final Instant H10 = Instant.parse("2026-05-04T10:00:00Z");
    static final PricePayload.Format KWH = new PricePayload.Format(1, Duration.ofHours(1), Duration.ofMinutes(15));
    static final PricePayload.Format MWH = new PricePayload.Format(0.001, Duration.ofHours(1), Duration.ofMinutes(15));

    static List<Interval> parse(String payload, PricePayload.Format f) {
        return PricePayload.parse(payload.getBytes(UTF_8), NOW, f);
    }

    static Instant h(int hours) {
        return H10.plus(Duration.ofHours(hours));
    }

    @Test
    void anArrayOfStartEndPriceInIso8601() {
        assertThat(parse("""
                [{"start":"2026-05-04T12:00:00+02:00","end":"2026-05-04T13:00:00+02:00","price":0.21},
                 {"start":"2026-05-04T11:00:00Z","end":"2026-05-04T11:30:00Z","price":"0.18"}]""", KWH))
                .containsExactly(new Interval(h(0), h(1), 0.21),
                        new Interval(h(1), h(1).plus(Duration.ofMinutes(30)), 0.18));
    }

    @Test
    void anEndLeftOutIsTheNextStartElseTheInterval() {
        assertThat(parse("[{\"start\":" + h(1).getEpochSecond() + ",\"price\":0.3},{\"start\":"
                + h(0).getEpochSecond() + ",\"price\":0.2},{\"start\":" + h(3).getEpochSecond() + ",\"price\":0.1}]",
                KWH)).containsExactly(new Interval(h(0), h(1), 0.2), new Interval(h(1), h(3), 0.3),
                new Interval(h(3), h(4), 0.1));
    }

    @Test
    void anAwattarLikeObjectInMillisecondsAndPerMWh() {
        assertThat(parse("{\"object\":\"list\",\"data\":[{\"start_timestamp\":" + h(0).toEpochMilli()
                + ",\"end_timestamp\":" + h(1).toEpochMilli() + ",\"marketprice\":104.5,\"unit\":\"Eur/MWh\"},"
                + "{\"start_timestamp\":\"" + h(1).toEpochMilli() + "\",\"end_timestamp\":" + h(2).toEpochMilli()
                + ",\"marketprice\":-3.2,\"unit\":\"Eur/MWh\"}],\"url\":\"/at/v1/marketdata\"}", MWH))
                .containsExactly(new Interval(h(0), h(1), 0.1045), new Interval(h(1), h(2), -0.0032));
    }

    @Test
    void tibberLikeTodayAndTomorrowAndOtherArrayKeys() {
        assertThat(parse("""
                {"current":{"total":0.25},"today":[{"total":0.25,"startsAt":"2026-05-04T12:00:00.000+02:00"}],
                 "tomorrow":[{"total":0.15,"startsAt":"2026-05-05T00:00:00.000+02:00"}]}""", KWH))
                .containsExactly(new Interval(h(0), Instant.parse("2026-05-04T22:00:00Z"), 0.25),
                        new Interval(Instant.parse("2026-05-04T22:00:00Z"), Instant.parse("2026-05-04T23:00:00Z"),
                                0.15));
        assertThat(parse("{\"prices\":[{\"from\":\"2026-05-04T10:00:00Z\",\"to\":\"2026-05-04T10:15:00Z\","
                + "\"value\":0.3}]}", KWH)).hasSize(1);
        assertThat(parse("{\"start\":\"2026-05-04T10:00:00Z\",\"price\":0.3}", KWH))
                .containsExactly(new Interval(h(0), h(1), 0.3));
    }

    @Test
    void aPlainNumberIsThePriceNowForTheConfiguredMinutes() {
        assertThat(parse(" 0.274\n", KWH)).containsExactly(new Interval(NOW, NOW.plus(Duration.ofMinutes(15)), 0.274));
        assertThat(parse("\"87.1\"", MWH)).containsExactly(new Interval(NOW, NOW.plus(Duration.ofMinutes(15)),
                0.0871));
    }

    @Test
    void malformedPayloadsAreRefusedWithWhatIsWrong() {
        refused("", "empty payload");
        refused("cheap", "not a number and not JSON: cheap");
        refused("[{\"start\":1,", "not a number and not JSON");
        refused("[]", "no prices in the payload");
        refused("true", "not a number, an array or an object: true");
        refused("{\"result\":\"ok\"}", "an object without prices");
        refused("[0.2, 0.3]", "entry 1 is not an object with a start and a price: 0.2");
        refused("[{\"price\":0.2}]", "entry 1 has no start");
        refused("[{\"start\":\"2026-05-04T10:00:00Z\"}]", "entry 1 has no price");
        refused("[{\"start\":\"2026-05-04T10:00:00Z\",\"price\":\"cheap\"}]", "entry 1: price is not a number: \"cheap\"");
        refused("[{\"start\":\"2026-05-04T10:00:00Z\",\"price\":{\"eur\":1}}]", "entry 1: price is not a number");
        refused("[{\"start\":\"2026-05-04 10:00\",\"price\":0.2}]", "entry 1: start \"2026-05-04 10:00\" is not an "
                + "ISO-8601 time with an offset");
        refused("[{\"start\":\"2026-05-04T10:00:00\",\"price\":0.2}]", "is not an ISO-8601 time with an offset");
        refused("[{\"start\":-5,\"price\":0.2}]", "entry 1: start -5 is not a time after 1970");
        refused("[{\"start\":\"2026-05-04T11:00:00Z\",\"end\":\"2026-05-04T10:00:00Z\",\"price\":0.2}]",
                "entry 1 ends at 2026-05-04T10:00:00Z, not after its start 2026-05-04T11:00:00Z");
        refused("[{\"start\":\"2026-05-04T10:00:00Z\",\"end\":\"2026-05-04T12:00:00Z\",\"price\":0.2},"
                + "{\"start\":\"2026-05-04T11:00:00Z\",\"price\":0.3}]",
                "entry 2 starting 2026-05-04T11:00:00Z overlaps the one before it, which ends 2026-05-04T12:00:00Z");
        refused("\"NaN\"", "not a number, an array or an object");
        byte[] huge = new byte[PricePayload.MAX_BYTES + 1];
        assertThatThrownBy(() -> PricePayload.parse(huge, NOW, KWH)).hasMessageContaining("more than");
    }

    @Test
    void theUnitIsKwhOrMwh() {
        assertThat(PricePayload.perKwh("MWh")).isEqualTo(0.001);
        assertThat(PricePayload.perKwh("kWh")).isEqualTo(1);
        assertThatThrownBy(() -> PricePayload.perKwh("ct/kWh"))
                .hasMessage("unit: 'ct/kWh' is not kWh or MWh (the unit the prices are per)");
    }

    private static void refused(String payload, String message) {
        assertThatThrownBy(() -> parse(payload, KWH)).as(payload).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }
}
