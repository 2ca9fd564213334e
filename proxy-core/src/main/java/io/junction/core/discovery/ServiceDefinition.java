package io.junction.core.discovery;

import io.junction.core.model.Endpoint;
import io.junction.core.model.ServiceSpec;

import java.util.List;

/**
 * What one discovery source knows about one service port: its spec (null when the source only contributes endpoints
 * to a service that another source defines, as the registration API does) and its endpoints. Immutable.
 */
public record ServiceDefinition(ServiceSpec spec, List<Endpoint> endpoints) {
    public ServiceDefinition {
        endpoints = List.copyOf(endpoints);
    }
}
