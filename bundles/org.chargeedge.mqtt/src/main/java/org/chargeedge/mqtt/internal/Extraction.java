package org.chargeedge.mqtt.internal;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * How to read a value from a payload: the payload as number text, or one
 * field of a JSON payload named by a JSON pointer ({@code /SML/Power_curr}) or
 * a simple JSON path ({@code $.SML.Power_curr}, {@code SML.Power_curr},
 * {@code phases[0].power}). {@code value} is the Victron form
 * {@code {"value": ...}}.
 */
record Extraction(JsonPointer pointer, String spec) {

    static final Extraction TEXT = new Extraction(null, "text");

    static Extraction parse(String spec) {
        if (spec == null || spec.isBlank() || spec.equals("text")) {
            return TEXT;
        }
        String s = spec.strip();
        if (s.startsWith("/")) {
            return new Extraction(JsonPointer.compile(s), s);
        }
        return new Extraction(JsonPointer.compile(pathToPointer(s)), s);
    }

    boolean json() {
        return pointer != null;
    }

    /** {@code $.a.b[2].c} to {@code /a/b/2/c}; keys may hold any character but '.' and '['. */
    static String pathToPointer(String path) {
        String p = path;
        if (p.startsWith("$")) {
            p = p.substring(1);
        }
        if (p.startsWith(".")) {
            p = p.substring(1);
        }
        if (p.isEmpty()) {
            throw new IllegalArgumentException("empty JSON path: " + path);
        }
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '.') {
                parts.add(cur.toString());
                cur.setLength(0);
            } else if (c == '[') {
                int close = p.indexOf(']', i);
                if (close < 0) {
                    throw new IllegalArgumentException("unclosed '[' in JSON path: " + path);
                }
                if (cur.length() > 0) {
                    parts.add(cur.toString());
                    cur.setLength(0);
                }
                String index = p.substring(i + 1, close).replace("'", "").replace("\"", "");
                parts.add(index);
                i = close;
                if (i + 1 < p.length() && p.charAt(i + 1) == '.') {
                    i++;
                }
            } else {
                cur.append(c);
            }
        }
        if (cur.length() > 0) {
            parts.add(cur.toString());
        }
        StringBuilder out = new StringBuilder();
        for (String part : parts) {
            if (part.isEmpty()) {
                throw new IllegalArgumentException("empty key in JSON path: " + path);
            }
            out.append('/').append(part.replace("~", "~0").replace("/", "~1"));
        }
        return out.toString();
    }

    /** Reads the field from an already parsed document (null when the payload is not JSON). */
    Reading read(JsonNode document) {
        if (document == null) {
            return Reading.INVALID;
        }
        if (document.isNull()) {
            return Reading.UNKNOWN;
        }
        JsonNode node = document.at(pointer);
        if (node.isMissingNode()) {
            return Reading.ABSENT;
        }
        if (node.isNull()) {
            return Reading.UNKNOWN;
        }
        if (node.isNumber()) {
            return Reading.of(node.doubleValue());
        }
        if (node.isTextual()) {
            return Reading.parseText(node.textValue());
        }
        return Reading.INVALID;
    }

    @Override
    public String toString() {
        return spec;
    }
}
