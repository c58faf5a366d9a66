package org.chargeedge.loadgen;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON reader and writer (RFC 8259), enough for OCPP-J frames and the report.
 * The load generator deliberately has no JSON library and no dependency on the gateway's code.
 *
 * <p>Reading yields {@link Map} (insertion ordered), {@link List}, {@link String}, {@link Long}
 * (integral numbers that fit), {@link Double} (other numbers), {@link Boolean} and {@code null}.
 */
public final class Json {

    private final String s;
    private int pos;

    private Json(String s) {
        this.s = s;
    }

    /** Thrown for text that is not a single valid JSON value. */
    public static final class JsonException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        JsonException(String message) {
            super(message);
        }
    }

    // ------------------------------------------------------------------ reading

    public static Object parse(String text) {
        Json p = new Json(text);
        p.ws();
        Object v = p.value(0);
        p.ws();
        if (p.pos != p.s.length()) {
            throw p.error("trailing characters");
        }
        return v;
    }

    private JsonException error(String what) {
        return new JsonException(what + " at offset " + pos);
    }

    private void ws() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                pos++;
            } else {
                return;
            }
        }
    }

    private Object value(int depth) {
        if (depth > 64) {
            throw error("nesting too deep");
        }
        if (pos >= s.length()) {
            throw error("unexpected end");
        }
        char c = s.charAt(pos);
        switch (c) {
            case '{':
                return object(depth);
            case '[':
                return array(depth);
            case '"':
                return string();
            case 't':
                literal("true");
                return Boolean.TRUE;
            case 'f':
                literal("false");
                return Boolean.FALSE;
            case 'n':
                literal("null");
                return null;
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw error("unexpected character '" + c + "'");
        }
    }

    private void literal(String word) {
        if (!s.startsWith(word, pos)) {
            throw error("invalid literal");
        }
        pos += word.length();
    }

    private Map<String, Object> object(int depth) {
        Map<String, Object> m = new LinkedHashMap<>();
        pos++; // {
        ws();
        if (peek() == '}') {
            pos++;
            return m;
        }
        while (true) {
            ws();
            if (peek() != '"') {
                throw error("expected member name");
            }
            String key = string();
            ws();
            expect(':');
            ws();
            m.put(key, value(depth + 1));
            ws();
            char c = next();
            if (c == '}') {
                return m;
            }
            if (c != ',') {
                pos--;
                throw error("expected ',' or '}'");
            }
        }
    }

    private List<Object> array(int depth) {
        List<Object> l = new ArrayList<>();
        pos++; // [
        ws();
        if (peek() == ']') {
            pos++;
            return l;
        }
        while (true) {
            ws();
            l.add(value(depth + 1));
            ws();
            char c = next();
            if (c == ']') {
                return l;
            }
            if (c != ',') {
                pos--;
                throw error("expected ',' or ']'");
            }
        }
    }

    private char peek() {
        if (pos >= s.length()) {
            throw error("unexpected end");
        }
        return s.charAt(pos);
    }

    private char next() {
        char c = peek();
        pos++;
        return c;
    }

    private void expect(char c) {
        if (next() != c) {
            pos--;
            throw error("expected '" + c + "'");
        }
    }

    private String string() {
        pos++; // opening quote
        StringBuilder b = null;
        int start = pos;
        while (true) {
            if (pos >= s.length()) {
                throw error("unterminated string");
            }
            char c = s.charAt(pos);
            if (c == '"') {
                String tail = s.substring(start, pos);
                pos++;
                return b == null ? tail : b.append(tail).toString();
            }
            if (c < 0x20) {
                throw error("control character in string");
            }
            if (c == '\\') {
                if (b == null) {
                    b = new StringBuilder();
                }
                b.append(s, start, pos);
                pos++;
                char e = next();
                switch (e) {
                    case '"': b.append('"'); break;
                    case '\\': b.append('\\'); break;
                    case '/': b.append('/'); break;
                    case 'b': b.append('\b'); break;
                    case 'f': b.append('\f'); break;
                    case 'n': b.append('\n'); break;
                    case 'r': b.append('\r'); break;
                    case 't': b.append('\t'); break;
                    case 'u':
                        if (pos + 4 > s.length()) {
                            throw error("bad unicode escape");
                        }
                        try {
                            b.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        } catch (NumberFormatException ex) {
                            throw error("bad unicode escape");
                        }
                        pos += 4;
                        break;
                    default:
                        throw error("bad escape");
                }
                start = pos;
            } else {
                pos++;
            }
        }
    }

    private Object number() {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (pos < s.length() && s.charAt(pos) == '0') {
            pos++;
        } else {
            digits();
        }
        boolean integral = true;
        if (pos < s.length() && s.charAt(pos) == '.') {
            integral = false;
            pos++;
            digits();
        }
        if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
            integral = false;
            pos++;
            if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
                pos++;
            }
            digits();
        }
        String t = s.substring(start, pos);
        if (integral && t.length() < 19) {
            return Long.parseLong(t);
        }
        return Double.parseDouble(t);
    }

    private void digits() {
        int start = pos;
        while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
            pos++;
        }
        if (pos == start) {
            throw error("expected digit");
        }
    }

    // ------------------------------------------------------------------ writing

    /** Compact JSON of maps, iterables, arrays of objects, strings, numbers, booleans and null. */
    public static String write(Object value) {
        StringBuilder b = new StringBuilder(128);
        write(b, value, -1, 0);
        return b.toString();
    }

    /** Indented JSON, for files people read. */
    public static String writePretty(Object value) {
        StringBuilder b = new StringBuilder(512);
        write(b, value, 2, 0);
        return b.append('\n').toString();
    }

    private static void newline(StringBuilder b, int indent, int level) {
        if (indent >= 0) {
            b.append('\n');
            for (int i = 0; i < indent * level; i++) {
                b.append(' ');
            }
        }
    }

    private static void write(StringBuilder b, Object v, int indent, int level) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof String) {
            quote(b, (String) v);
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                b.append("null");
            } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                b.append((long) d).append(".0"); // stays a decimal when read back
            } else {
                b.append(d);
            }
        } else if (v instanceof Number || v instanceof Boolean) {
            b.append(v);
        } else if (v instanceof Map) {
            Map<?, ?> m = (Map<?, ?>) v;
            b.append('{');
            Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
            boolean any = it.hasNext();
            while (it.hasNext()) {
                Map.Entry<?, ?> e = it.next();
                newline(b, indent, level + 1);
                quote(b, String.valueOf(e.getKey()));
                b.append(indent >= 0 ? ": " : ":");
                write(b, e.getValue(), indent, level + 1);
                if (it.hasNext()) {
                    b.append(',');
                }
            }
            if (any) {
                newline(b, indent, level);
            }
            b.append('}');
        } else if (v instanceof Iterable) {
            b.append('[');
            Iterator<?> it = ((Iterable<?>) v).iterator();
            boolean any = it.hasNext();
            while (it.hasNext()) {
                newline(b, indent, level + 1);
                write(b, it.next(), indent, level + 1);
                if (it.hasNext()) {
                    b.append(',');
                }
            }
            if (any) {
                newline(b, indent, level);
            }
            b.append(']');
        } else if (v instanceof Object[]) {
            write(b, List.of((Object[]) v), indent, level);
        } else {
            quote(b, v.toString());
        }
    }

    /** Appends {@code text} as a JSON string literal. */
    public static StringBuilder quote(StringBuilder b, String text) {
        b.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                case '\b': b.append("\\b"); break;
                case '\f': b.append("\\f"); break;
                default:
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
            }
        }
        return b.append('"');
    }

    public static String quote(String text) {
        return quote(new StringBuilder(text.length() + 2), text).toString();
    }
}
