package org.chargeedge.management.internal.testbundle;

import org.osgi.framework.BundleContext;

/**
 * A Declarative Services component of the test bundles (declared in XML by
 * the test): its activation throws when the bundle has the header
 * {@code Test-Fail-Activate}, as a component of a broken update would.
 */
public class FailingComponent {

    public void activate(BundleContext context) {
        String fail = context.getBundle().getHeaders().get("Test-Fail-Activate");
        if (fail != null) {
            throw new IllegalStateException(fail);
        }
    }
}
