package io.junction.core.state;

import io.junction.core.lb.Backend;
import io.junction.core.lb.Picker;
import io.junction.core.model.Endpoint;
import io.junction.core.model.ServiceSpec;

import java.util.List;
import java.util.Objects;

/**
 * Everything the data path needs to serve one service at one moment: its spec, all of its endpoints as discovery
 * reported them, the backends currently eligible for new connections and the picker built over them. Built by the
 * control thread and never changed afterwards; a change produces a new snapshot. Immutable (the backends it points
 * to carry live counters, see {@link Backend}).
 *
 * @param version   the proxy-wide version that produced this snapshot
 * @param spec      how the service is served
 * @param endpoints every endpoint discovery knows, including not-ready ones, in a stable order
 * @param eligible  the backends new connections may go to
 * @param picker    the policy's picker over {@code eligible}
 */
public record ServiceSnapshot(long version, ServiceSpec spec, List<Endpoint> endpoints, List<Backend> eligible,
                              Picker picker) {
    public ServiceSnapshot {
        Objects.requireNonNull(spec, "spec");
        endpoints = List.copyOf(endpoints);
        eligible = List.copyOf(eligible);
        Objects.requireNonNull(picker, "picker");
    }
}
