package org.chargeedge.http.internal;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** What a user or an API token may do: a viewer reads, an operator also acts. */
enum Role {
    VIEWER, OPERATOR;

    boolean allows(Role needed) {
        return compareTo(needed) >= 0;
    }

    @JsonValue
    String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role named {@code text} (any case), or IllegalArgumentException naming the valid ones. */
    @JsonCreator
    static Role parse(String text) {
        for (Role r : values()) {
            if (r.name().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return r;
            }
        }
        throw new IllegalArgumentException("role must be one of "
                + Arrays.stream(values()).map(Role::label).collect(Collectors.joining(", ")) + ", not '" + text + "'");
    }
}
