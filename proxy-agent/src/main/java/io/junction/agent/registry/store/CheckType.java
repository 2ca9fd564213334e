package io.junction.agent.registry.store;

import java.util.Locale;

/** How a check's status is decided: by its client ({@code ttl}) or by probes Junction runs ({@code tcp}, {@code http}). */
public enum CheckType {
    TTL, TCP, HTTP;

    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }
}
