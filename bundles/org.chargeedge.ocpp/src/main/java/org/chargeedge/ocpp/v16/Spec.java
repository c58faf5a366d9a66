package org.chargeedge.ocpp.v16;

import static java.lang.annotation.ElementType.RECORD_COMPONENT;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;

/**
 * The field constraints of OCPP 1.6 edition 2 (chapter 6 "Messages", chapter 7
 * "Types"), written once on the record components of this package. The codec
 * reads them once and enforces them in both directions.
 *
 * <p>Conventions: a component is required (cardinality 1 or 1..*) unless it is
 * annotated {@link Optional}; a primitive component is always required, a boxed
 * one always optional. A {@code double} is an OCPP decimal. An
 * {@link java.time.Instant} is an OCPP dateTime.
 */
public final class Spec {
    private Spec() {
    }

    /** Cardinality 0..1 or 0..*: {@code null} when absent, omitted when encoded. */
    @Documented
    @Retention(RUNTIME)
    @Target(RECORD_COMPONENT)
    public @interface Optional {
    }

    /** CiString&lt;N&gt;Type (IdToken is CiString20Type): at most N characters; on a list, for each element. */
    @Documented
    @Retention(RUNTIME)
    @Target(RECORD_COMPONENT)
    public @interface CiString {
        int value();
    }

    /** The smallest value allowed for an integer or decimal. */
    @Documented
    @Retention(RUNTIME)
    @Target(RECORD_COMPONENT)
    public @interface Min {
        long value();
    }

    /** The largest value allowed for an integer or decimal. */
    @Documented
    @Retention(RUNTIME)
    @Target(RECORD_COMPONENT)
    public @interface Max {
        long value();
    }

    /** A list of cardinality 1..*: when present it has at least one element. */
    @Documented
    @Retention(RUNTIME)
    @Target(RECORD_COMPONENT)
    public @interface NonEmpty {
    }
}
