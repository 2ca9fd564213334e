package io.junction.core.state;

import io.junction.core.lb.Backend;
import io.junction.core.lb.Picker;
import io.junction.core.model.Endpoint;
import io.junction.core.model.ServiceSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything the data path needs to serve one service at one moment: its spec, all of its endpoints with the verdict
 * the sync gave each, the backends currently eligible for new connections and the picker built over them. Built by
 * the control thread and never changed afterwards; a change produces a new snapshot. Immutable (the backends it
 * points to carry live counters, see {@link Backend}).
 *
 * @param version   the proxy-wide version that produced this snapshot
 * @param spec      how the service is served
 * @param endpoints every endpoint discovery knows, including ineligible ones, with why, in a stable order
 * @param eligible  the backends new connections may go to
 * @param picker    the policy's picker over {@code eligible}
 * @param panic     too few endpoints are healthy, so unhealthy ready ones are eligible too (see {@link Eligibility})
 */
public record ServiceSnapshot(long version, ServiceSpec spec, List<EndpointStatus> endpoints, List<Backend> eligible,
                              Picker picker, boolean panic) {
    public ServiceSnapshot {
        Objects.requireNonNull(spec, "spec");
        endpoints = List.copyOf(endpoints);
        eligible = List.copyOf(eligible);
        Objects.requireNonNull(picker, "picker");
    }

    /** A snapshot out of panic. */
    public ServiceSnapshot(long version, ServiceSpec spec, List<EndpointStatus> endpoints, List<Backend> eligible,
                           Picker picker) {
        this(version, spec, endpoints, eligible, picker, false);
    }

    /** A snapshot whose endpoints are exactly {@code eligible}'s, all eligible (tests and benchmarks). */
    public static ServiceSnapshot ofEligible(long version, ServiceSpec spec, List<Backend> eligible, Picker picker) {
        List<EndpointStatus> endpoints = new ArrayList<>(eligible.size());
        for (Backend b : eligible) {
            endpoints.add(new EndpointStatus(b.endpoint(), true, Eligibility.ELIGIBLE));
        }
        return new ServiceSnapshot(version, spec, endpoints, eligible, picker);
    }

    /** The endpoints alone, in order. */
    public List<Endpoint> endpointList() {
        List<Endpoint> out = new ArrayList<>(endpoints.size());
        for (EndpointStatus s : endpoints) {
            out.add(s.endpoint());
        }
        return out;
    }
}
