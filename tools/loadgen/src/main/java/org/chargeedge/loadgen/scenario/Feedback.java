package org.chargeedge.loadgen.scenario;

/** Where a scenario reports what it found wrong in an answer. */
public interface Feedback {

    /** An error: counted under {@code kind} and makes the run fail (exit code 1). */
    void error(String kind);

    /** Something worth reporting that does not make the run fail (e.g. idTag not Accepted). */
    void warning(String kind);
}
