package org.chargeedge.api.charger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Who may connect to the site's OCPP server, and as whom: the chargers the
 * site knows with their OCPP 1.6 security profile (White Paper edition 3:
 * 0 none, 1 HTTP Basic, 2 TLS with Basic, 3 TLS with a client certificate),
 * the unknown ones that tried and wait for an installer to accept them, and
 * the recent refusals with their reason in an installer's words. The shell
 * and the HTTP API act through this service and report its errors as they are.
 *
 * <p>A charger's profile never goes down over OCPP: only this service (an
 * operator) changes it, and a connection below it is refused at the handshake.
 * Methods that change something throw {@link IllegalArgumentException} with a
 * message for the operator when the change cannot be made.
 */
@ProviderType
public interface ChargerAccess {

    /**
     * A charger the site knows.
     *
     * @param securityProfile the profile its connections must meet
     * @param siteDefaultProfile whether that is the site's default rather than its own setting
     * @param authorizationKeySet whether a password (AuthorizationKey) is set for it
     * @param configured whether it is named in the configuration (its settings there win over the shell's)
     * @param acceptedAt when it was accepted by an operator or the commissioning window; null if configured
     */
    record KnownCharger(String chargePointId, int securityProfile, boolean siteDefaultProfile,
                        boolean authorizationKeySet, boolean configured, Instant acceptedAt) {
    }

    /** An unknown charger that tried to connect and was refused, waiting to be accepted. */
    record WaitingCharger(String chargePointId, String remoteAddress, Instant firstSeen, Instant lastSeen,
                          long attempts) {
    }

    /**
     * A refused connection attempt.
     *
     * @param chargePointId the id it claimed, null when the path named none
     * @param reason why, in an installer's words (wrong password, no client certificate, ...)
     * @param count refusals of this charger for this reason since {@code firstAt}
     */
    record Refusal(String chargePointId, String remoteAddress, String reason, Instant firstAt, Instant lastAt,
                   long count) {
    }

    /** The profile of chargers that have none of their own. */
    int siteSecurityProfile();

    /** Whether any valid id is accepted (the explicit open mode), known or not. */
    boolean openToUnknownChargers();

    /** The end of the commissioning window while one is open: unknown ids that connect are accepted. */
    Optional<Instant> commissioningUntil();

    List<KnownCharger> knownChargers();

    /** The most recent unknown chargers (a bounded list, newest last). */
    List<WaitingCharger> waitingChargers();

    /** The most recent refusals (a bounded list, newest last). */
    List<Refusal> recentRefusals();

    /** Accepts a charger (usually one waiting) at the site's default profile. */
    KnownCharger accept(String chargePointId);

    /** Forgets a charger accepted from the shell; its next connection is refused. False if it was not known. */
    boolean forget(String chargePointId);

    /** Sets the charger's own profile (0..3), or returns it to the site default with null. */
    KnownCharger setSecurityProfile(String chargePointId, Integer profile);

    /** Sets its password (AuthorizationKey: 16 to 40 printable ASCII characters); kept only as a slow salted hash. */
    KnownCharger setAuthorizationKey(String chargePointId, String key);

    /**
     * Generates a new AuthorizationKey, sends it to the connected charger with
     * ChangeConfiguration AuthorizationKey, and once the charger accepted it
     * keeps its hash and raises the charger's profile to {@code profile} (1 or
     * 2), asking the charger to switch with ChangeConfiguration SecurityProfile.
     * Fails, changing nothing, when the charger refuses the key.
     */
    CompletionStage<KnownCharger> provisionAuthorizationKey(String chargePointId, int profile);

    /**
     * The bcrypt hash of an AuthorizationKey, as the configuration's
     * {@code chargerKeyHashes} takes it (so no password is written in a file).
     */
    String hashAuthorizationKey(String key);

    /** Opens the commissioning window for {@code length}: unknown ids that connect meanwhile are accepted. */
    Instant openCommissioning(Duration length);

    void closeCommissioning();
}
