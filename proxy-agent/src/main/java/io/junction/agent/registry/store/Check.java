package io.junction.agent.registry.store;

import java.util.Objects;

/**
 * A check as it stands: its definition, status and output, with Consul's indexes. Immutable.
 *
 * @param spec        the definition
 * @param status      the current status
 * @param output      what the last update or probe said
 * @param createIndex the registry index at which the check was created
 * @param modifyIndex the registry index at which it last changed
 */
public record Check(CheckSpec spec, CheckStatus status, String output, long createIndex, long modifyIndex) {
    public Check {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(status, "status");
        output = output == null ? "" : output;
    }

    public String id() {
        return spec.id();
    }

    Check with(CheckStatus newStatus, String newOutput, long index) {
        return new Check(spec, newStatus, newOutput, createIndex, index);
    }
}
