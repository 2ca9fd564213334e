package io.junction.agent.discovery.kubernetes;

/** What one EndpointSlice update changes, in {@link KubernetesSliceBenchmark}. */
public enum SliceChange {
    /** The slice's first endpoint turns not ready (and not serving), then ready again: a failing readiness probe. */
    READINESS,
    /** The slice's last endpoint is replaced by a new address, then restored: one pod of a rollout replaced. */
    ENDPOINTS
}
