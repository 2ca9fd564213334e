package io.junction.agent.registry.api;

import java.util.Locale;

/** Why the registry API refused a request; the tag of {@code junction_registry_requests_refused_total}. */
public enum Refusal {
    UNAUTHORIZED, TOO_LARGE, INVALID, ADDRESS_REFUSED, RATE_LIMITED, NOT_FOUND;

    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
