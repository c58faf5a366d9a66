package org.chargeedge.balancer.core;

/** A phase of the site's supply (or, before rotation, of a charger). */
public enum Phase {
    L1, L2, L3
}
