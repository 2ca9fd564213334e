package io.junction.core.state;

import io.junction.core.model.Endpoint;

import java.util.Objects;

/**
 * One endpoint of a service as the last sync judged it: whether new connections may go to it, and why (or why not),
 * for the admin API. Immutable.
 *
 * @param endpoint the endpoint as discovery reported it
 * @param eligible new connections may be sent to it
 * @param why      the reason in words: {@code eligible}, {@code not ready}, {@code terminating}, a health verdict ...
 */
public record EndpointStatus(Endpoint endpoint, boolean eligible, String why) {
    public EndpointStatus {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(why, "why");
    }
}
