package org.chargeedge.ocpp.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.chargeedge.ocpp.internal.ValueType.BooleanType;
import org.chargeedge.ocpp.internal.ValueType.DateTimeType;
import org.chargeedge.ocpp.internal.ValueType.DecimalType;
import org.chargeedge.ocpp.internal.ValueType.EnumType;
import org.chargeedge.ocpp.internal.ValueType.Field;
import org.chargeedge.ocpp.internal.ValueType.IntType;
import org.chargeedge.ocpp.internal.ValueType.ListType;
import org.chargeedge.ocpp.internal.ValueType.RecordType;
import org.chargeedge.ocpp.internal.ValueType.StringType;
import org.chargeedge.ocpp.v16.Action;
import org.chargeedge.ocpp.v16.OcppEnum;
import org.chargeedge.ocpp.v16.Spec;
import org.chargeedge.ocpp.v16.UnitOfMeasure;

/**
 * The table of every OCPP 1.6 message type, derived once (at class
 * initialisation) from the record components of {@code org.chargeedge.ocpp.v16}
 * and their {@link Spec} annotations. Reading and writing then walk this table
 * with cached method handles: no reflection per message.
 */
public final class Schema {

    /**
     * Spellings read as an enumeration value besides the exact ones, never
     * written: the OCPP 1.6 JSON schema itself spells the unit "Celcius".
     */
    private static final Map<Class<?>, Map<String, ?>> ALIASES =
            Map.of(UnitOfMeasure.class, Map.of("Celcius", UnitOfMeasure.Celsius));

    private static final Map<Class<?>, RecordType> RECORDS = new Builder().build();

    private Schema() {
    }

    /** Reads a JSON object as {@code type}, checking every rule. */
    public static <T> T read(Class<T> type, JsonNode object) throws Violation {
        return type.cast(recordType(type).read(object));
    }

    /** Writes {@code message} as a JSON object, checking every rule first-to-last. */
    public static void write(JsonGenerator out, Object message) throws Violation, IOException {
        recordType(message.getClass()).write(out, message);
    }

    private static RecordType recordType(Class<?> type) {
        RecordType t = RECORDS.get(type);
        if (t == null) {
            throw new IllegalArgumentException(type.getName() + " is not an OCPP 1.6 message type of this bundle");
        }
        return t;
    }

    /** Builds the table; any inconsistency in the annotations fails the bundle at start, not a message later. */
    private static final class Builder {
        private final MethodHandles.Lookup lookup = MethodHandles.lookup();
        private final Map<Class<?>, RecordType> records = new HashMap<>();
        private final Map<Class<?>, EnumType> enums = new HashMap<>();

        Map<Class<?>, RecordType> build() {
            for (Action action : Action.values()) {
                record(action.requestType());
                record(action.confirmationType());
            }
            return Map.copyOf(records);
        }

        private RecordType record(Class<?> type) {
            RecordType known = records.get(type);
            if (known != null) {
                return known;
            }
            check(type.isRecord(), type.getName() + " is not a record");
            RecordType recordType = new RecordType(type.getSimpleName());
            records.put(type, recordType);
            RecordComponent[] components = type.getRecordComponents();
            Field[] fields = new Field[components.length];
            Class<?>[] parameterTypes = new Class<?>[components.length];
            for (int i = 0; i < components.length; i++) {
                fields[i] = field(components[i]);
                parameterTypes[i] = components[i].getType();
            }
            try {
                MethodHandle constructor = lookup.findConstructor(type, MethodType.methodType(void.class, parameterTypes))
                        .asType(MethodType.genericMethodType(components.length))
                        .asSpreader(Object[].class, components.length);
                recordType.init(fields, constructor);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("no canonical constructor in " + type.getName(), e);
            }
            return recordType;
        }

        private Field field(RecordComponent c) {
            String where = c.getDeclaringRecord().getSimpleName() + "." + c.getName();
            boolean optional = c.isAnnotationPresent(Spec.Optional.class);
            Class<?> raw = c.getType();
            check(!(raw.isPrimitive() && optional), where + ": a primitive cannot be @Optional");
            check(optional || !(raw == Integer.class || raw == Double.class || raw == Boolean.class),
                    where + ": a required number must be primitive");
            boolean list = raw == List.class;
            Class<?> leaf = list ? rawClass(((ParameterizedType) c.getGenericType()).getActualTypeArguments()[0]) : raw;
            check(!c.isAnnotationPresent(Spec.CiString.class) || leaf == String.class, where + ": @CiString on a non-string");
            check(!(c.isAnnotationPresent(Spec.Min.class) || c.isAnnotationPresent(Spec.Max.class))
                    || Number.class.isAssignableFrom(leaf) || leaf == int.class || leaf == double.class,
                    where + ": @Min/@Max on a non-number");
            check(!c.isAnnotationPresent(Spec.NonEmpty.class) || list, where + ": @NonEmpty on a non-list");
            try {
                MethodHandle accessor = lookup.unreflect(c.getAccessor())
                        .asType(MethodType.methodType(Object.class, Object.class));
                return new Field(c.getName(), type(c.getGenericType(), c, where), !optional, accessor);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(where + " is not accessible", e);
            }
        }

        private ValueType type(Type generic, RecordComponent c, String where) {
            if (generic instanceof ParameterizedType p && p.getRawType() == List.class) {
                return new ListType(type(p.getActualTypeArguments()[0], c, where), c.isAnnotationPresent(Spec.NonEmpty.class));
            }
            Class<?> type = rawClass(generic);
            Spec.Min min = c.getAnnotation(Spec.Min.class);
            Spec.Max max = c.getAnnotation(Spec.Max.class);
            long lo = min == null ? Long.MIN_VALUE : min.value();
            long hi = max == null ? Long.MAX_VALUE : max.value();
            if (type == String.class) {
                Spec.CiString ci = c.getAnnotation(Spec.CiString.class);
                return new StringType(ci == null ? 0 : ci.value());
            } else if (type == int.class || type == Integer.class) {
                return new IntType(lo, hi);
            } else if (type == double.class || type == Double.class) {
                return new DecimalType(lo, hi);
            } else if (type == boolean.class || type == Boolean.class) {
                return new BooleanType();
            } else if (type == Instant.class) {
                return new DateTimeType();
            } else if (type.isEnum() && OcppEnum.class.isAssignableFrom(type)) {
                return enums.computeIfAbsent(type, Builder::enumType);
            } else if (type.isRecord()) {
                return record(type);
            }
            throw new IllegalStateException(where + ": no OCPP type for " + generic.getTypeName());
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private static EnumType enumType(Class<?> type) {
            return new EnumType((Class) type, (Map) ALIASES.getOrDefault(type, Map.of()));
        }

        private static Class<?> rawClass(Type type) {
            check(type instanceof Class<?>, "unsupported generic type " + type.getTypeName());
            return (Class<?>) type;
        }

        private static void check(boolean condition, String problem) {
            if (!condition) {
                throw new IllegalStateException("OCPP 1.6 schema: " + problem);
            }
        }
    }
}
