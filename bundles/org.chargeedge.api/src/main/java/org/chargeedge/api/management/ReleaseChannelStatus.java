package org.chargeedge.api.management;

import java.time.Instant;

/**
 * The fleet release channel as this gateway follows it.
 *
 * @param url the descriptor's URL
 * @param channel the channel name the gateway accepts (stable, pilot, ...)
 * @param appliedRelease the release number last applied (0: none)
 * @param lastPoll when the channel was last read, null before the first poll
 * @param lastOutcome what the last poll found or did, in an operator's words
 * @param lastJobId the job of the last release applied or tried, null if none
 */
public record ReleaseChannelStatus(String url, String channel, long appliedRelease, Instant lastPoll,
        String lastOutcome, String lastJobId) {
}
