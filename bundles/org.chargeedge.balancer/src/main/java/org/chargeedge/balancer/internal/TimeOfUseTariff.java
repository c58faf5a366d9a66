package org.chargeedge.balancer.internal;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.chargeedge.balancer.core.SiteSnapshot.PriceWindow;
import org.chargeedge.balancer.core.SiteSnapshot.Tariff;

/**
 * The time-of-use tariff of the configuration: weekly price windows in the site's time zone, turned into the
 * core's absolute {@link Tariff} for the days ahead at each run. Immutable; parsed once.
 *
 * <p>Windows are written {@code DAYS HH:MM-HH:MM=PRICE}, comma-separated: {@code DAYS} is a day
 * ({@code Mon}), a range ({@code Mon-Fri}, {@code Sat-Sun}) or {@code Daily}; minutes may be left out
 * ({@code 22-6}); a window that ends at or before its start runs past midnight into the next day; {@code 24}
 * is the end of the day. Outside every window the price is {@code defaultPrice}. Where windows overlap, the
 * one laid out first wins (the earlier day's, then the first written).
 */
record TimeOfUseTariff(List<Weekly> windows, double defaultPrice, ZoneId zone) {

    /** How far ahead the windows are laid out: a departure later than this sees the default price beyond it. */
    static final Duration HORIZON = Duration.ofDays(8);

    static final TimeOfUseTariff NONE = new TimeOfUseTariff(List.of(), 0, ZoneId.of("UTC"));

    /** One weekly window: the days it starts on, its start and end times, its price per kWh. */
    record Weekly(Set<DayOfWeek> days, LocalTime from, LocalTime to, boolean toEndOfDay, double price) {
        Weekly {
            days = Set.copyOf(days);
        }
    }

    TimeOfUseTariff {
        windows = List.copyOf(windows);
    }

    /**
     * Parses {@code tariffWindows}; an empty text is no window (a flat tariff at the default price).
     *
     * @throws IllegalArgumentException naming the entry and what is wrong with it
     */
    static TimeOfUseTariff parse(String text, double defaultPrice, String zone) {
        ZoneId z;
        try {
            z = zone == null || zone.isBlank() ? ZoneId.systemDefault() : ZoneId.of(zone.strip());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("tariffTimeZone: '" + zone + "' is not a time zone (e.g. Europe/Berlin)");
        }
        if (defaultPrice < 0) {
            throw new IllegalArgumentException("tariffDefaultPrice " + defaultPrice + " is negative");
        }
        List<Weekly> out = new ArrayList<>();
        for (String entry : text == null ? new String[0] : text.split(",")) {
            if (!entry.isBlank()) {
                out.add(window(entry.strip()));
            }
        }
        return new TimeOfUseTariff(out, defaultPrice, z);
    }

    private static Weekly window(String entry) {
        String hint = "tariffWindows: '" + entry + "' is not DAYS HH:MM-HH:MM=PRICE (e.g. Mon-Fri 22:00-06:00=0.12)";
        int eq = entry.lastIndexOf('=');
        String[] parts = (eq < 0 ? "" : entry.substring(0, eq)).trim().split("\\s+");
        if (eq < 0 || parts.length != 2) {
            throw new IllegalArgumentException(hint);
        }
        double price;
        try {
            price = Double.parseDouble(entry.substring(eq + 1).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(hint);
        }
        if (!Double.isFinite(price) || price < 0) {
            throw new IllegalArgumentException("tariffWindows: '" + entry + "': a price is a number >= 0");
        }
        String[] times = parts[1].split("-");
        if (times.length != 2) {
            throw new IllegalArgumentException(hint);
        }
        LocalTime from = time(times[0], entry);
        boolean endOfDay = times[1].equals("24") || times[1].equals("24:00");
        LocalTime to = endOfDay ? LocalTime.MIDNIGHT : time(times[1], entry);
        if (from == null || to == null) {
            throw new IllegalArgumentException(hint);
        }
        return new Weekly(days(parts[0], entry), from, to, endOfDay, price);
    }

    private static LocalTime time(String t, String entry) {
        try {
            return LocalTime.parse(t.contains(":") ? (t.length() == 4 ? "0" + t : t)
                    : String.format(Locale.ROOT, "%02d:00", Integer.parseInt(t)));
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new IllegalArgumentException("tariffWindows: '" + entry + "': '" + t + "' is not a time of day");
        }
    }

    private static Set<DayOfWeek> days(String d, String entry) {
        if (d.equalsIgnoreCase("Daily")) {
            return EnumSet.allOf(DayOfWeek.class);
        }
        String[] range = d.split("-");
        DayOfWeek first = day(range[0], entry);
        DayOfWeek last = range.length == 2 ? day(range[1], entry) : first;
        if (range.length > 2) {
            throw new IllegalArgumentException("tariffWindows: '" + entry + "': '" + d + "' is not a day or a range");
        }
        Set<DayOfWeek> out = EnumSet.noneOf(DayOfWeek.class);
        for (DayOfWeek x = first;; x = x.plus(1)) {
            out.add(x);
            if (x == last) {
                return out;
            }
        }
    }

    private static DayOfWeek day(String name, String entry) {
        for (DayOfWeek x : DayOfWeek.values()) {
            if (name.length() >= 3 && x.name().toLowerCase(Locale.ROOT).startsWith(name.toLowerCase(Locale.ROOT))) {
                return x;
            }
        }
        throw new IllegalArgumentException("tariffWindows: '" + entry + "': '" + name
                + "' is not a day (Mon, Tue, Wed, Thu, Fri, Sat, Sun, Daily)");
    }

    /** In words, for the status: {@code tariff: 2 windows, 0.300/kWh elsewhere} or {@code tariff: 0.300/kWh}. */
    String describe() {
        return windows.isEmpty() ? String.format(Locale.ROOT, "tariff: %.3f/kWh", defaultPrice)
                : String.format(Locale.ROOT, "tariff: %d window%s, %.3f/kWh elsewhere", windows.size(),
                windows.size() == 1 ? "" : "s", defaultPrice);
    }

    /** The core's tariff: every window that overlaps [now - 1 day, now + {@link #HORIZON}). */
    Tariff at(Instant now) {
        if (windows.isEmpty()) {
            return new Tariff(List.of(), defaultPrice);
        }
        List<PriceWindow> out = new ArrayList<>();
        LocalDate today = now.atZone(zone).toLocalDate();
        Instant end = now.plus(HORIZON);
        for (LocalDate day = today.minusDays(1); !day.atStartOfDay(zone).toInstant().isAfter(end);
                day = day.plusDays(1)) {
            for (Weekly w : windows) {
                if (!w.days().contains(day.getDayOfWeek())) {
                    continue;
                }
                Instant from = day.atTime(w.from()).atZone(zone).toInstant();
                LocalDate endDay = w.toEndOfDay() || !w.to().isAfter(w.from()) ? day.plusDays(1) : day;
                Instant to = endDay.atTime(w.to()).atZone(zone).toInstant();
                if (to.isAfter(from) && to.isAfter(now.minus(Duration.ofDays(1))) && from.isBefore(end)) {
                    out.add(new PriceWindow(from, to, w.price()));
                }
            }
        }
        return new Tariff(out, defaultPrice);
    }
}
