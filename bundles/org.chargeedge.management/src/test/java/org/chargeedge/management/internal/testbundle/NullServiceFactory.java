package org.chargeedge.management.internal.testbundle;

import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceFactory;
import org.osgi.framework.ServiceRegistration;

/** A service factory that gives nothing, as Declarative Services does for a component it cannot give now. */
public class NullServiceFactory implements ServiceFactory<Object> {

    @Override
    public Object getService(Bundle bundle, ServiceRegistration<Object> registration) {
        return null;
    }

    @Override
    public void ungetService(Bundle bundle, ServiceRegistration<Object> registration, Object service) {
    }
}
