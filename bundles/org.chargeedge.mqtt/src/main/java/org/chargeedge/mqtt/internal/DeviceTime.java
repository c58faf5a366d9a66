package org.chargeedge.mqtt.internal;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Where a JSON payload carries the time the device measured, and how to read
 * it: the first of the named fields that is present. Accepted: epoch seconds
 * (or milliseconds) as a number, ISO 8601 with an offset or {@code Z}, and
 * local times ({@code 2024-06-01T12:00:00}, {@code 2024-06-01 12:00:00},
 * {@code 01/06/2024 12:00:00} day first as SBFspot writes it), read in the
 * given zone (the gateway's, which is also the devices' on one site).
 */
record DeviceTime(List<JsonPointer> fields, String spec) {

    /**
     * What a payload says about the time; {@code zoned}: the time is absolute
     * (epoch, or ISO 8601 with an offset or Z), not a local time read in the
     * gateway's zone, so it can be checked against the gateway's clock.
     */
    record Result(Kind kind, Instant at, boolean zoned) {
        enum Kind { AT, ABSENT, INVALID }

        static final Result ABSENT = new Result(Kind.ABSENT, null, false);
        static final Result INVALID = new Result(Kind.INVALID, null, false);
    }

    private static final DateTimeFormatter[] LOCAL = {
        DateTimeFormatter.ISO_LOCAL_DATE_TIME,
        DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSS]"),
        DateTimeFormatter.ofPattern("dd/MM/yyyy HH:mm:ss"),
    };

    DeviceTime {
        fields = List.copyOf(fields);
        if (fields.isEmpty()) {
            throw new IllegalArgumentException("a device time needs a field");
        }
    }

    /** One or more fields separated by {@code |}, each a JSON pointer or simple path, e.g. {@code Timestamp|TimeStamp}. */
    static DeviceTime parse(String spec) {
        List<JsonPointer> fields = java.util.Arrays.stream(spec.strip().split("\\|"))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .map(s -> JsonPointer.compile(s.startsWith("/") ? s : Extraction.pathToPointer(s)))
                .toList();
        return new DeviceTime(fields, spec.strip());
    }

    Result read(JsonNode document, ZoneId zone) {
        if (document == null) {
            return Result.ABSENT;
        }
        for (JsonPointer p : fields) {
            JsonNode node = document.at(p);
            if (node.isMissingNode() || node.isNull()) {
                continue;
            }
            if (node.isNumber()) {
                Instant at = epoch(node.doubleValue());
                return at == null ? Result.INVALID : new Result(Result.Kind.AT, at, true);
            }
            return node.isTextual() ? text(node.textValue().strip(), zone) : Result.INVALID;
        }
        return Result.ABSENT;
    }

    /** Epoch seconds, or milliseconds from 1e11 on; null when not a time after 1970. */
    static Instant epoch(double v) {
        if (!Double.isFinite(v) || v <= 0) {
            return null;
        }
        // from 1e11 on it cannot be seconds (year 5138): milliseconds
        double millis = v >= 1e11 ? v : v * 1000;
        return Instant.ofEpochMilli((long) millis);
    }

    private static Result text(String s, ZoneId zone) {
        if (s.isEmpty()) {
            return Result.INVALID;
        }
        try {
            Instant at = epoch(Double.parseDouble(s));
            return at == null ? Result.INVALID : new Result(Result.Kind.AT, at, true);
        } catch (NumberFormatException e) {
            // not a number: a date
        }
        try {
            return new Result(Result.Kind.AT, OffsetDateTime.parse(s).toInstant(), true);
        } catch (DateTimeException e) {
            // no offset: a local time
        }
        for (DateTimeFormatter f : LOCAL) {
            try {
                return new Result(Result.Kind.AT, LocalDateTime.parse(s, f).atZone(zone).toInstant(), false);
            } catch (DateTimeException e) {
                // next format
            }
        }
        return Result.INVALID;
    }

    @Override
    public String toString() {
        return spec;
    }
}
