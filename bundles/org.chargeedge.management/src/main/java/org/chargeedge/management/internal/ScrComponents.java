package org.chargeedge.management.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.osgi.framework.Bundle;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/** {@link Components} from Declarative Services' runtime view. */
final class ScrComponents implements Components {

    private final ServiceComponentRuntime scr;

    ScrComponents(ServiceComponentRuntime scr) {
        this.scr = scr;
    }

    @Override
    public Set<String> running(Collection<Bundle> bundles) {
        Set<String> out = new HashSet<>();
        for (ComponentDescriptionDTO d : descriptions(bundles)) {
            for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                if (c.state == ComponentConfigurationDTO.ACTIVE || c.state == ComponentConfigurationDTO.SATISFIED) {
                    out.add(d.bundle.symbolicName + "/" + d.name);
                }
            }
        }
        return out;
    }

    @Override
    public List<String> failures(Collection<Bundle> bundles) {
        List<String> out = new ArrayList<>();
        for (ComponentDescriptionDTO d : descriptions(bundles)) {
            for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                if (c.state == ComponentConfigurationDTO.FAILED_ACTIVATION) {
                    out.add(d.bundle.symbolicName + "/" + d.name + ": " + firstLine(c.failure));
                }
            }
        }
        return out;
    }

    private Collection<ComponentDescriptionDTO> descriptions(Collection<Bundle> bundles) {
        return bundles.isEmpty() ? List.of() : scr.getComponentDescriptionDTOs(bundles.toArray(Bundle[]::new));
    }

    private static String firstLine(String failure) {
        if (failure == null) {
            return "no reason given";
        }
        int nl = failure.indexOf('\n');
        return (nl < 0 ? failure : failure.substring(0, nl)).trim();
    }
}
