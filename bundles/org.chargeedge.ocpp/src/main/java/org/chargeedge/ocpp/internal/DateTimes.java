package org.chargeedge.ocpp.internal;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.chrono.IsoChronology;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.TemporalAccessor;
import java.util.Locale;

/**
 * OCPP dateTime on the wire. Reads RFC 3339 / ISO-8601 date-times: {@code T}
 * between date and time, seconds and fraction (up to nanoseconds) optional,
 * offset {@code Z}, {@code +hh:mm}, {@code +hhmm} or {@code +hh}, case
 * insensitive; a date-time without offset is taken as UTC (real chargers send
 * it). Writes {@link Instant#toString()}: UTC, ending in {@code Z}.
 */
final class DateTimes {
    private static final DateTimeFormatter READ = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .appendLiteral('T')
            .append(DateTimeFormatter.ISO_LOCAL_TIME)
            .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
            .optionalStart().parseLenient().appendOffset("+HH:MM", "Z").optionalEnd()
            .toFormatter(Locale.ROOT)
            .withChronology(IsoChronology.INSTANCE)
            .withResolverStyle(ResolverStyle.STRICT);

    private DateTimes() {
    }

    /** The instant, or {@code null} when {@code text} is not a date-time this reader accepts. */
    static Instant parse(String text) {
        try {
            TemporalAccessor t = READ.parseBest(text, OffsetDateTime::from, LocalDateTime::from);
            return t instanceof OffsetDateTime odt ? odt.toInstant() : ((LocalDateTime) t).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static String format(Instant instant) {
        return instant.toString();
    }
}
