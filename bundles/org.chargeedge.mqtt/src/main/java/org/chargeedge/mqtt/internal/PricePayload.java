package org.chargeedge.mqtt.internal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import org.chargeedge.api.energy.PriceSeries.Interval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads a price payload into intervals with a price per kWh. Pure: no clock (the arrival time is given), no I/O.
 *
 * <p>Shapes read:
 * <ul>
 *   <li>a plain number: the price now, for {@link Format#currentFor} from the arrival;</li>
 *   <li>a JSON array of entries {@code {start, end, price}}; {@code end} may be left out (the next entry's start,
 *       else the start plus {@link Format#interval});</li>
 *   <li>an object with such an array under {@code prices}, {@code data}, {@code series} or {@code values}, or
 *       under {@code today} and {@code tomorrow} (both read); or one entry as an object.</li>
 * </ul>
 * An entry's start is {@code start}, {@code startsAt}, {@code start_timestamp}, {@code from} or {@code time}; its
 * end {@code end}, {@code endsAt}, {@code end_timestamp}, {@code to} or {@code till}; its price {@code price},
 * {@code marketprice}, {@code total} or {@code value} (a number, or a number in a string). A time is ISO-8601
 * with an offset ({@code 2026-05-01T13:00:00+02:00}, {@code 2026-05-01T11:00:00Z}) or epoch seconds or
 * milliseconds (a number, or digits in a string; from 10^11 on it is milliseconds).
 */
final class PricePayload {

    /** The most intervals one payload may hold: a year of quarter hours, far beyond any day-ahead market. */
    static final int MAX_INTERVALS = 35_136;
    /** The largest payload read. */
    static final int MAX_BYTES = 1 << 20;

    private static final String[] ARRAYS = {"prices", "data", "series", "values"};
    private static final String[] STARTS = {"start", "startsAt", "start_timestamp", "from", "time"};
    private static final String[] ENDS = {"end", "endsAt", "end_timestamp", "to", "till"};
    private static final String[] PRICES = {"price", "marketprice", "total", "value"};

    /**
     * How prices are read.
     *
     * @param perKwh the factor from the payload's price to a price per kWh (1 for per kWh, 0.001 for per MWh)
     * @param interval an entry's length when it has no end and no next entry
     * @param currentFor how long a plain number holds
     */
    record Format(double perKwh, Duration interval, Duration currentFor) {
    }

    private PricePayload() {
    }

    /**
     * The intervals of a payload, in order of their start.
     *
     * @throws IllegalArgumentException saying what is wrong, naming the entry (from 1)
     */
    static List<Interval> parse(byte[] payload, Instant arrived, Format format) {
        if (payload.length > MAX_BYTES) {
            throw new IllegalArgumentException("payload of " + payload.length + " bytes, more than " + MAX_BYTES);
        }
        String text = new String(payload, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty payload");
        }
        JsonNode root;
        try {
            root = SiteDocuments.JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a number and not JSON: " + abbreviate(text));
        }
        if (root == null || root.isMissingNode()) {
            throw new IllegalArgumentException("not a number and not JSON: " + abbreviate(text));
        }
        if (root.isNumber() || (root.isTextual() && isNumber(root.asText()))) {
            double price = price(root, format, "the price");
            return List.of(new Interval(arrived, arrived.plus(format.currentFor()), price));
        }
        List<JsonNode> entries = entries(root);
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("no prices in the payload");
        }
        if (entries.size() > MAX_INTERVALS) {
            throw new IllegalArgumentException(entries.size() + " prices, more than " + MAX_INTERVALS);
        }
        List<Instant[]> times = new ArrayList<>();
        List<Double> prices = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            JsonNode e = entries.get(i);
            String where = "entry " + (i + 1);
            if (!e.isObject()) {
                throw new IllegalArgumentException(where + " is not an object with a start and a price: "
                        + abbreviate(e.toString()));
            }
            JsonNode start = field(e, STARTS);
            JsonNode price = field(e, PRICES);
            if (start == null) {
                throw new IllegalArgumentException(where + " has no start (start, startsAt, start_timestamp, from, "
                        + "time)");
            }
            if (price == null) {
                throw new IllegalArgumentException(where + " has no price (price, marketprice, total, value)");
            }
            JsonNode end = field(e, ENDS);
            times.add(new Instant[] {time(start, where + ": start"), end == null ? null : time(end, where + ": end")});
            prices.add(price(price, format, where + ": price"));
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < times.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparing(i -> times.get(i)[0]));
        List<Interval> out = new ArrayList<>();
        for (int k = 0; k < order.size(); k++) {
            int i = order.get(k);
            Instant start = times.get(i)[0];
            Instant end = times.get(i)[1];
            if (end == null) {
                end = k + 1 < order.size() ? times.get(order.get(k + 1))[0] : start.plus(format.interval());
            }
            if (!end.isAfter(start)) {
                throw new IllegalArgumentException("entry " + (i + 1) + " ends at " + end + ", not after its start "
                        + start);
            }
            if (!out.isEmpty() && start.isBefore(out.get(out.size() - 1).end())) {
                throw new IllegalArgumentException("entry " + (i + 1) + " starting " + start
                        + " overlaps the one before it, which ends " + out.get(out.size() - 1).end());
            }
            out.add(new Interval(start, end, prices.get(i)));
        }
        return out;
    }

    private static List<JsonNode> entries(JsonNode root) {
        List<JsonNode> out = new ArrayList<>();
        if (root.isArray()) {
            root.forEach(out::add);
            return out;
        }
        if (!root.isObject()) {
            throw new IllegalArgumentException("not a number, an array or an object: " + abbreviate(root.toString()));
        }
        for (String key : ARRAYS) {
            JsonNode a = root.get(key);
            if (a != null && a.isArray()) {
                a.forEach(out::add);
                return out;
            }
        }
        boolean days = false;
        for (String key : new String[] {"today", "tomorrow"}) {
            JsonNode a = root.get(key);
            if (a != null && a.isArray()) {
                a.forEach(out::add);
                days = true;
            }
        }
        if (days) {
            return out;
        }
        if (field(root, PRICES) != null) {
            out.add(root);
            return out;
        }
        throw new IllegalArgumentException("an object without prices (an array under prices, data, series, values, "
                + "today or tomorrow, or one entry with a start and a price): " + abbreviate(root.toString()));
    }

    private static JsonNode field(JsonNode o, String[] names) {
        for (String n : names) {
            JsonNode v = o.get(n);
            if (v != null && !v.isNull()) {
                return v;
            }
        }
        return null;
    }

    private static double price(JsonNode v, Format format, String what) {
        double p;
        if (v.isNumber()) {
            p = v.asDouble();
        } else if (v.isTextual() && isNumber(v.asText())) {
            p = Double.parseDouble(v.asText().strip());
        } else {
            throw new IllegalArgumentException(what + " is not a number: " + abbreviate(v.toString()));
        }
        if (!Double.isFinite(p)) {
            throw new IllegalArgumentException(what + " is not a finite number: " + v);
        }
        return p * format.perKwh();
    }

    private static boolean isNumber(String s) {
        try {
            double d = Double.parseDouble(s.strip());
            return !s.isBlank() && Double.isFinite(d) && !s.strip().matches(".*[a-zA-Z].*");
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** An ISO-8601 time with an offset, or epoch seconds or milliseconds. */
    static Instant time(JsonNode v, String what) {
        if (v.isIntegralNumber() || (v.isTextual() && v.asText().strip().matches("-?\\d{1,16}"))) {
            long n = v.isIntegralNumber() ? v.asLong() : Long.parseLong(v.asText().strip());
            if (n <= 0) {
                throw new IllegalArgumentException(what + " " + n + " is not a time after 1970");
            }
            return DeviceTime.epoch(n);
        }
        if (v.isTextual()) {
            String t = v.asText().strip();
            try {
                return OffsetDateTime.parse(t).toInstant();
            } catch (DateTimeParseException e) {
                try {
                    return ZonedDateTime.parse(t).toInstant();
                } catch (DateTimeParseException e2) {
                    // below
                }
            }
        }
        throw new IllegalArgumentException(what + " " + abbreviate(v.toString()) + " is not an ISO-8601 time with "
                + "an offset (2026-05-01T13:00:00+02:00) or epoch seconds or milliseconds");
    }

    /** At most 80 characters of a peer's text, for a log line. */
    static String abbreviate(String s) {
        String one = s.replaceAll("[\\p{Cntrl}]", " ");
        return one.length() <= 80 ? one : one.substring(0, 77) + "...";
    }

    /** "per kWh" or "per MWh" to a factor to per kWh. */
    static double perKwh(String unit) {
        String u = unit == null ? "" : unit.strip().toLowerCase(Locale.ROOT);
        return switch (u) {
            case "", "kwh", "/kwh", "per kwh" -> 1;
            case "mwh", "/mwh", "per mwh" -> 0.001;
            default -> throw new IllegalArgumentException("unit: '" + unit + "' is not kWh or MWh (the unit the "
                    + "prices are per)");
        };
    }
}
