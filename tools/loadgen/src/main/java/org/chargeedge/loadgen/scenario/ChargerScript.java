package org.chargeedge.loadgen.scenario;

import java.util.Map;

/**
 * The behaviour of one simulated charger: which CALL comes next, and what to learn from answers.
 * A charger calls {@link #next()} only after the previous call was answered (or timed out), so an
 * implementation needs no synchronization of its own: all methods of one script are called one at a
 * time (under the charger's lock).
 */
public interface ChargerScript {

    /** The next call to send; never null. Called again and again until the run ends. */
    Call next();

    /** The CALLRESULT payload for {@code call}. */
    default void onResult(Call call, Map<String, Object> payload) {
    }

    /** {@code call} was answered with a CALLERROR (already counted as an error) or timed out. */
    default void onFailure(Call call, String reason) {
    }
}
