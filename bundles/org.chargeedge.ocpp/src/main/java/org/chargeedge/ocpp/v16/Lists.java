package org.chargeedge.ocpp.v16;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Immutable copies of record list components. */
final class Lists {
    private Lists() {
    }

    /**
     * An unmodifiable copy, {@code null} for {@code null}. Unlike
     * {@link List#copyOf} it keeps null elements, so that the codec (the one
     * place that checks them) can report them with the field path.
     */
    static <T> List<T> copy(List<T> list) {
        return list == null ? null : Collections.unmodifiableList(new ArrayList<>(list));
    }
}
