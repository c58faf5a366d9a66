package org.chargeedge.http.internal;

/**
 * Who makes a request, once authenticated.
 *
 * @param name the user's name, or the API token's label
 * @param role what it may do
 * @param session the browser session the request came with; null for an API token
 */
record Principal(String name, Role role, BrowserSessions.Session session) {

    /** The request attribute holding the Principal of an authenticated request. */
    static final String ATTRIBUTE = "org.chargeedge.http.principal";

    boolean viaToken() {
        return session == null;
    }
}
