package org.chargeedge.management.internal;

import java.util.Collection;
import java.util.List;
import java.util.Set;

import org.osgi.framework.Bundle;

/** What Declarative Services says about the components of some bundles. */
interface Components {

    /** "symbolic-name/component-name" of each component that is active or satisfied. */
    Set<String> running(Collection<Bundle> bundles);

    /** One line per component whose activation failed, with the failure. */
    List<String> failures(Collection<Bundle> bundles);

    /** For a framework without Declarative Services. */
    Components NONE = new Components() {
        @Override
        public Set<String> running(Collection<Bundle> bundles) {
            return Set.of();
        }

        @Override
        public List<String> failures(Collection<Bundle> bundles) {
            return List.of();
        }
    };
}
