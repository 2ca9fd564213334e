package io.junction.agent.discovery.eureka;

import java.util.List;
import java.util.Objects;

/**
 * One response of {@code GET apps/} or {@code GET apps/delta}: the instances it lists and the server's
 * reconciliation hash of its whole registry at that moment ({@code apps__hashcode}). Immutable.
 *
 * @param appsHashcode the server's {@code apps__hashcode}, empty when absent
 * @param instances    the instances that could be read, in document order
 * @param problems     one line per instance that was malformed and left out, naming it and the reason
 */
public record EurekaApplications(String appsHashcode, List<EurekaInstance> instances, List<String> problems) {
    public EurekaApplications {
        Objects.requireNonNull(appsHashcode, "appsHashcode");
        instances = List.copyOf(instances);
        problems = List.copyOf(problems);
    }
}
