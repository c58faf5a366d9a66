package org.chargeedge.api.charger;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * How the chargers' calls were answered since the OCPP server started: per
 * action and outcome, a count and a latency histogram, from the moment the
 * frame arrived to the moment its answer was ready to send. For metrics (the
 * HTTP bundle turns it into a Prometheus histogram). Labels are bounded: the
 * actions a charger may send (plus {@value #UNKNOWN_ACTION} for any other
 * name), and {@value #RESULT} or an OCPP-J error code.
 *
 * @since 1.5
 */
@ProviderType
public interface CallStatistics {

    /** The action label of a call whose action is not an OCPP 1.6 action. */
    String UNKNOWN_ACTION = "unknown";
    /** The outcome label of a call answered with a CALLRESULT. */
    String RESULT = "CallResult";

    /** Upper bounds, in seconds, of the latency buckets, ascending; a last bucket holds the rest. */
    List<Double> LATENCY_BOUNDS = List.of(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            10.0, 30.0);

    /**
     * Calls of one action answered one way.
     *
     * @param action the OCPP action, or {@value #UNKNOWN_ACTION}
     * @param outcome {@value #RESULT}, or the CALLERROR's error code (for example {@code FormationViolation})
     * @param count how many
     * @param latencySecondsSum their latencies added up
     * @param buckets how many took at most each of {@link #LATENCY_BOUNDS} (not cumulative), then one more
     *        element for those that took longer than the last bound; {@code LATENCY_BOUNDS.size() + 1} elements
     */
    record Calls(String action, String outcome, long count, double latencySecondsSum, List<Long> buckets) {
        public Calls {
            buckets = List.copyOf(buckets);
        }
    }

    /** Every action and outcome seen so far, in action then outcome order. */
    List<Calls> calls();
}
