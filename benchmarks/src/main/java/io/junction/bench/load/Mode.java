package io.junction.bench.load;

import io.junction.bench.backend.BackendKind;
import io.junction.core.model.Protocol;

/**
 * The harness's load modes and the built-in backend each one talks to. Immutable.
 */
public enum Mode {
    TCP_STREAM("tcp-stream", BackendKind.STREAM, "Gbit/s"),
    TCP_RR("tcp-rr", BackendKind.ECHO, "req/s"),
    TCP_CRR("tcp-crr", BackendKind.ECHO, "conn/s"),
    /** Backend closes first; the backend depends on {@link LoadSpec#flavor()} (this is the default flavour's). */
    TCP_BCF("tcp-bcf", BackendKind.HTTP_CLOSE, "conn/s"),
    UDP_STREAM("udp-stream", BackendKind.UDP_ECHO, "dgram/s"),
    UDP_RR("udp-rr", BackendKind.UDP_ECHO, "req/s");

    private final String cliName;
    private final BackendKind backend;
    private final String primaryUnit;

    Mode(String cliName, BackendKind backend, String primaryUnit) {
        this.cliName = cliName;
        this.backend = backend;
        this.primaryUnit = primaryUnit;
    }

    public String cliName() {
        return cliName;
    }

    /** The backend of the mode's default shape; a run asks {@link LoadSpec#backend()}, which knows the flavour. */
    public BackendKind backend() {
        return backend;
    }

    public Protocol protocol() {
        return backend.protocol();
    }

    /** Unit of the headline number that ratios are computed on. */
    public String primaryUnit() {
        return primaryUnit;
    }

    /** Whether the mode records per-operation latency. */
    public boolean hasLatency() {
        return this != TCP_STREAM;
    }

    /** Whether each operation is a new connection (with a connect latency of its own). */
    public boolean connectionPerOp() {
        return this == TCP_CRR || this == TCP_BCF;
    }

    public static Mode fromCliName(String name) {
        for (Mode m : values()) {
            if (m.cliName.equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("mode: " + name
                + " (expected: tcp-stream, tcp-rr, tcp-crr, tcp-bcf, udp-stream or udp-rr)");
    }
}
