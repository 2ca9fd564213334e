package io.junction.core.model;

import java.util.Locale;

/** Transport protocol of a service port. Immutable. */
public enum Protocol {
    TCP,
    UDP;

    /** Parses {@code tcp}/{@code udp} in any case; throws {@link IllegalArgumentException} naming the bad value. */
    public static Protocol parse(String value) {
        if (value != null) {
            for (Protocol p : values()) {
                if (p.name().equalsIgnoreCase(value.trim())) {
                    return p;
                }
            }
        }
        throw new IllegalArgumentException("protocol: " + value + " (expected: tcp or udp)");
    }

    public String lowerName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
