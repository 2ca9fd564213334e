package io.junction.agent.registry.store;

import java.util.Locale;

/** A Consul check status; the JSON form is the lower-case name. */
public enum CheckStatus {
    PASSING, WARNING, CRITICAL;

    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The status named {@code text} (case-insensitive), or null when there is none. */
    public static CheckStatus parse(String text) {
        for (CheckStatus s : values()) {
            if (s.name().equalsIgnoreCase(text)) {
                return s;
            }
        }
        return null;
    }
}
