package org.chargeedge.ocpp.internal;

import static org.chargeedge.ocpp.rpc.ErrorCode.OccurenceConstraintViolation;
import static org.chargeedge.ocpp.rpc.ErrorCode.PropertyConstraintViolation;
import static org.chargeedge.ocpp.rpc.ErrorCode.TypeConstraintViolation;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.UndeclaredThrowableException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.chargeedge.ocpp.v16.OcppEnum;

/**
 * How one OCPP field type is read from a JSON tree and written to a generator.
 * Every rule is checked in exactly one method here and applies to both
 * directions: {@code read} for what we receive, {@code write} for what we send.
 * Both are given a non-null value; absence is the business of {@link RecordType}.
 */
abstract class ValueType {

    abstract Object read(JsonNode node) throws Violation;

    abstract void write(JsonGenerator out, Object value) throws Violation, IOException;

    static Violation wrongType(String expected, JsonNode node) {
        return new Violation(TypeConstraintViolation, "expected " + expected + ", got " + Violation.show(node));
    }

    /** String, or CiString when {@code maxLength > 0}. */
    static final class StringType extends ValueType {
        private final int maxLength;

        StringType(int maxLength) {
            this.maxLength = maxLength;
        }

        @Override
        Object read(JsonNode node) throws Violation {
            if (!node.isTextual()) {
                throw wrongType("a string", node);
            }
            return check(node.textValue());
        }

        @Override
        void write(JsonGenerator out, Object value) throws Violation, IOException {
            out.writeString(check((String) value));
        }

        private String check(String s) throws Violation {
            if (maxLength > 0 && s.length() > maxLength && s.codePointCount(0, s.length()) > maxLength) {
                throw new Violation(PropertyConstraintViolation, "CiString" + maxLength + "Type allows at most " + maxLength
                        + " characters, got " + s.codePointCount(0, s.length()) + ": " + Violation.quote(s));
            }
            return s;
        }
    }

    /**
     * OCPP integer (32 bits) within [min, max]. A JSON number with a zero
     * fraction (e.g. {@code 1.0}) is read as an integer.
     */
    static final class IntType extends ValueType {
        private final long min;
        private final long max;

        IntType(long min, long max) {
            this.min = Math.max(min, Integer.MIN_VALUE);
            this.max = Math.min(max, Integer.MAX_VALUE);
        }

        @Override
        Object read(JsonNode node) throws Violation {
            if (node.isIntegralNumber() && node.canConvertToLong()) {
                return check(node.longValue(), node);
            }
            if (node.isIntegralNumber()) {
                throw outOfRange(node);
            }
            if (node.isNumber() && node.doubleValue() == Math.rint(node.doubleValue())
                    && Math.abs(node.doubleValue()) <= Long.MAX_VALUE) {
                return check((long) node.doubleValue(), node);
            }
            throw wrongType("an integer", node);
        }

        @Override
        void write(JsonGenerator out, Object value) throws Violation, IOException {
            int i = (Integer) value;
            check(i, null);
            out.writeNumber(i);
        }

        private Integer check(long v, JsonNode node) throws Violation {
            if (v < min || v > max) {
                throw outOfRange(node == null ? Long.toString(v) : node.asText());
            }
            return (int) v;
        }

        private Violation outOfRange(Object shown) {
            return new Violation(PropertyConstraintViolation, shown + " is out of range, allowed "
                    + range(min > Integer.MIN_VALUE, min, max < Integer.MAX_VALUE, max, "a 32-bit integer"));
        }
    }

    /** OCPP decimal within [min, max]; any number of fraction digits is accepted. */
    static final class DecimalType extends ValueType {
        private final long min;
        private final long max;

        DecimalType(long min, long max) {
            this.min = min;
            this.max = max;
        }

        @Override
        Object read(JsonNode node) throws Violation {
            if (!node.isNumber()) {
                throw wrongType("a number", node);
            }
            return check(node.doubleValue(), node.asText());
        }

        @Override
        void write(JsonGenerator out, Object value) throws Violation, IOException {
            double d = (Double) value;
            out.writeNumber(check(d, Double.toString(d)));
        }

        private double check(double d, String shown) throws Violation {
            if (!Double.isFinite(d) || d < min || d > max) {
                throw new Violation(PropertyConstraintViolation, shown + " is out of range, allowed "
                        + range(min > Long.MIN_VALUE, min, max < Long.MAX_VALUE, max, "a finite number"));
            }
            return d;
        }
    }

    static String range(boolean hasMin, long min, boolean hasMax, long max, String otherwise) {
        if (hasMin && hasMax) {
            return min + ".." + max;
        }
        return hasMin ? ">= " + min : hasMax ? "<= " + max : otherwise;
    }

    static final class BooleanType extends ValueType {
        @Override
        Object read(JsonNode node) throws Violation {
            if (!node.isBoolean()) {
                throw wrongType("a boolean", node);
            }
            return node.booleanValue();
        }

        @Override
        void write(JsonGenerator out, Object value) throws IOException {
            out.writeBoolean((Boolean) value);
        }
    }

    /** OCPP dateTime, see {@link DateTimes}; an unreadable date-time is a TypeConstraintViolation. */
    static final class DateTimeType extends ValueType {
        @Override
        Object read(JsonNode node) throws Violation {
            if (!node.isTextual()) {
                throw wrongType("a date-time string", node);
            }
            Instant instant = DateTimes.parse(node.textValue());
            if (instant == null) {
                throw new Violation(TypeConstraintViolation, "expected an RFC 3339 date-time such as"
                        + " \"2024-05-01T12:00:00Z\", got " + Violation.quote(node.textValue()));
            }
            return instant;
        }

        @Override
        void write(JsonGenerator out, Object value) throws IOException {
            out.writeString(DateTimes.format((Instant) value));
        }
    }

    /** An enumeration: exact (case-sensitive) wire values, plus read-only aliases for known misspellings. */
    static final class EnumType extends ValueType {
        private final String typeName;
        private final Map<String, Object> byWire;
        private final String[] wireByOrdinal;
        private final String allowed;

        <E extends Enum<E> & OcppEnum> EnumType(Class<E> type, Map<String, E> aliases) {
            E[] constants = type.getEnumConstants();
            this.typeName = type.getSimpleName();
            this.wireByOrdinal = Stream.of(constants).map(OcppEnum::value).toArray(String[]::new);
            this.allowed = String.join(", ", wireByOrdinal);
            Map<String, Object> map = new java.util.HashMap<>(aliases);
            for (E e : constants) {
                map.put(e.value(), e);
            }
            this.byWire = Map.copyOf(map);
        }

        @Override
        Object read(JsonNode node) throws Violation {
            if (!node.isTextual()) {
                throw wrongType("a " + typeName + " string", node);
            }
            Object value = byWire.get(node.textValue());
            if (value == null) {
                throw new Violation(PropertyConstraintViolation, Violation.quote(node.textValue()) + " is not a "
                        + typeName + " (allowed: " + allowed + ")");
            }
            return value;
        }

        @Override
        void write(JsonGenerator out, Object value) throws IOException {
            out.writeString(wireByOrdinal[((Enum<?>) value).ordinal()]);
        }
    }

    /** A JSON array; {@code nonEmpty} for cardinality 1..*. A null element is a TypeConstraintViolation. */
    static final class ListType extends ValueType {
        private final ValueType element;
        private final boolean nonEmpty;

        ListType(ValueType element, boolean nonEmpty) {
            this.element = element;
            this.nonEmpty = nonEmpty;
        }

        @Override
        Object read(JsonNode node) throws Violation {
            if (!node.isArray()) {
                throw wrongType("an array", node);
            }
            checkSize(node.size());
            List<Object> list = new ArrayList<>(node.size());
            for (int i = 0; i < node.size(); i++) {
                JsonNode item = node.get(i);
                try {
                    if (item.isNull()) {
                        throw wrongType("an element", item);
                    }
                    list.add(element.read(item));
                } catch (Violation v) {
                    throw v.atIndex(i);
                }
            }
            return list;
        }

        @Override
        void write(JsonGenerator out, Object value) throws Violation, IOException {
            List<?> list = (List<?>) value;
            checkSize(list.size());
            out.writeStartArray();
            for (int i = 0; i < list.size(); i++) {
                try {
                    if (list.get(i) == null) {
                        throw new Violation(TypeConstraintViolation, "expected an element, got null");
                    }
                    element.write(out, list.get(i));
                } catch (Violation v) {
                    throw v.atIndex(i);
                }
            }
            out.writeEndArray();
        }

        private void checkSize(int size) throws Violation {
            if (nonEmpty && size == 0) {
                throw new Violation(OccurenceConstraintViolation, "must contain at least one element");
            }
        }
    }

    /** One record component. */
    record Field(String name, ValueType type, boolean required, MethodHandle accessor) {
    }

    /** A record: a JSON object; unknown JSON fields are ignored, JSON null counts as absent. */
    static final class RecordType extends ValueType {
        private final String typeName;
        private Field[] fields;
        private MethodHandle constructor;

        RecordType(String typeName) {
            this.typeName = typeName;
        }

        /** Completes the type once its fields are built (records may be referenced before). */
        void init(Field[] fields, MethodHandle constructor) {
            this.fields = fields;
            this.constructor = constructor;
        }

        @Override
        Object read(JsonNode node) throws Violation {
            if (!node.isObject()) {
                throw wrongType("a " + typeName + " object", node);
            }
            Object[] args = new Object[fields.length];
            for (int i = 0; i < fields.length; i++) {
                Field f = fields[i];
                JsonNode value = node.get(f.name());
                if (value == null || value.isNull()) {
                    if (f.required()) {
                        throw new Violation(OccurenceConstraintViolation, "required field is missing"
                                + (value == null ? "" : " (null)")).at(f.name());
                    }
                    continue;
                }
                try {
                    args[i] = f.type().read(value);
                } catch (Violation v) {
                    throw v.at(f.name());
                }
            }
            try {
                return (Object) constructor.invokeExact(args);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new UndeclaredThrowableException(t);
            }
        }

        @Override
        void write(JsonGenerator out, Object value) throws Violation, IOException {
            out.writeStartObject();
            for (Field f : fields) {
                Object v = get(f, value);
                if (v == null) {
                    if (f.required()) {
                        throw new Violation(OccurenceConstraintViolation, "required field is null").at(f.name());
                    }
                    continue;
                }
                out.writeFieldName(f.name());
                try {
                    f.type().write(out, v);
                } catch (Violation x) {
                    throw x.at(f.name());
                }
            }
            out.writeEndObject();
        }

        private static Object get(Field f, Object record) {
            try {
                return (Object) f.accessor().invokeExact(record);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new UndeclaredThrowableException(t);
            }
        }

        @Override
        public String toString() {
            return typeName + Stream.of(fields).map(Field::name).collect(Collectors.joining(", ", "(", ")"));
        }
    }
}
