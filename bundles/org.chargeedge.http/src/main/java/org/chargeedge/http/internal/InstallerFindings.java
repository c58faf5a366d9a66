package org.chargeedge.http.internal;

import java.util.ArrayList;
import java.util.List;

import org.chargeedge.api.charger.ChargerDiagnostics;
import org.chargeedge.api.charger.ChargerDiagnostics.ConfigurationKeyProblem;
import org.chargeedge.api.charger.ChargerDiagnostics.LocalListProblem;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A charger's {@link ChargerDiagnostics} in an installer's words: what the
 * charger said and what to do about it. The API adds them to a charger as
 * {@code installerFindings}; the dashboard shows them as they are. Pure.
 */
final class InstallerFindings {

    /** One finding: a short title, what the charger said, what to do. */
    record Finding(String kind, String title, String hint) {
    }

    private InstallerFindings() {
    }

    /**
     * Leaves {@code diagnostics} out of a charger's JSON while there is nothing in it, so the site's
     * chargers (and every live event) cost no more bytes than before for chargers that refused nothing.
     */
    abstract static class ChargerJson {
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = NothingToReport.class)
        abstract ChargerDiagnostics diagnostics();
    }

    /** Jackson's value filter: "equal" means "leave out". */
    static final class NothingToReport {
        @Override
        public boolean equals(Object value) {
            return value instanceof ChargerDiagnostics d && d.configuration().isEmpty() && d.localList() == null;
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }

    static List<Finding> of(ChargerDiagnostics d) {
        List<Finding> out = new ArrayList<>();
        if (d.localList() != null) {
            out.add(localList(d.localList()));
        }
        for (ConfigurationKeyProblem k : d.configuration()) {
            out.add(key(k));
        }
        return out;
    }

    private static Finding key(ConfigurationKeyProblem k) {
        return switch (k.outcome()) {
            case REJECTED -> new Finding("configuration", "Value refused: " + k.key() + " = " + k.value(),
                    "The charger answered Rejected: the value is outside what it accepts, or the key is read-only."
                            + " Look up the allowed values in the charger's manual and set one of them.");
            case NOT_SUPPORTED -> new Finding("configuration", "Key not supported: " + k.key(),
                    "The charger answered NotSupported: its firmware has no such key. Leave it out of the"
                            + " charger's settings, or update the firmware if the manual lists it.");
            case REBOOT_REQUIRED -> new Finding("configuration", "Waiting for a reboot: " + k.key() + " = "
                    + k.value(), "The charger accepted the value but applies it only after a reboot: reset it"
                    + " (soft reset) when no session runs.");
            case UNKNOWN_KEY -> new Finding("configuration", "Key unknown to the charger: " + k.key(),
                    "The charger does not know this key (GetConfiguration listed it as unknown): its firmware"
                            + " does not have it, or it is spelled differently for this brand.");
        };
    }

    private static Finding localList(LocalListProblem p) {
        String accepted = p.acceptedVersion() == null ? "" : " It last accepted version " + p.acceptedVersion()
                + " from the gateway.";
        return switch (p.outcome()) {
            case FAILED -> new Finding("localList", "Local list not stored (version " + p.attemptedVersion() + ")",
                    "The charger answered Failed: it could not store the list; its list memory may be full"
                            + " (LocalAuthListMaxLength) or corrupted." + accepted + " Push the full list again;"
                            + " if it fails again, reset the charger or update its firmware. Until then it may"
                            + " refuse cards while offline.");
            case VERSION_MISMATCH -> new Finding("localList", "Local list out of step (update to version "
                    + p.attemptedVersion() + " refused)", "The charger answered VersionMismatch: its list is not"
                    + " at the version the update builds on." + accepted + " Push the full list.");
            case NOT_SUPPORTED -> new Finding("localList", "No local list in this charger",
                    "The charger answered NotSupported to SendLocalList: it cannot keep a local authorisation"
                            + " list, so while the gateway is unreachable it cannot check cards by itself.");
            case OUT_OF_STEP -> new Finding("localList", "Local list not the one pushed (reports version "
                    + p.reportedVersion() + ", accepted " + p.acceptedVersion() + ")", "The charger's list changed"
                    + " since it accepted the gateway's: lost in a reset or a firmware update, corrupted, or"
                    + " written by another system. Push the full list.");
        };
    }
}
