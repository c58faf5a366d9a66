package org.chargeedge.mqtt.internal;


/** An MQTT topic filter with the wildcards {@code +} (one level) and {@code #} (the rest). */
record TopicFilter(String filter, String[] levels) {

    static TopicFilter of(String filter) {
        if (filter == null || filter.isEmpty()) {
            throw new IllegalArgumentException("empty topic filter");
        }
        String[] levels = filter.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            String l = levels[i];
            if (l.contains("#") && (!l.equals("#") || i != levels.length - 1)) {
                throw new IllegalArgumentException("'#' must be a whole last level: " + filter);
            }
            if (l.contains("+") && !l.equals("+")) {
                throw new IllegalArgumentException("'+' must be a whole level: " + filter);
            }
        }
        return new TopicFilter(filter, levels);
    }

    boolean matches(String topic) {
        int t = 0;
        int n = topic.length();
        for (int i = 0; i < levels.length; i++) {
            String l = levels[i];
            if (l.equals("#")) {
                // like the brokers: '#' also matches the parent level, but not $SYS-like topics at the root
                return !(i == 0 && topic.startsWith("$"));
            }
            if (t > n) {
                return false;
            }
            int end = topic.indexOf('/', t);
            if (end < 0) {
                end = n;
            }
            if (l.equals("+")) {
                if (i == 0 && topic.startsWith("$")) {
                    return false;
                }
            } else if (!topic.regionMatches(t, l, 0, l.length()) || end - t != l.length()) {
                return false;
            }
            t = end + 1;
        }
        return t == n + 1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TopicFilter f && f.filter.equals(filter);
    }

    @Override
    public int hashCode() {
        return filter.hashCode();
    }

    @Override
    public String toString() {
        return filter;
    }
}
