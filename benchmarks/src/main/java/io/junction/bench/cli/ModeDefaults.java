package io.junction.bench.cli;

import io.junction.bench.backend.StreamDirection;
import io.junction.bench.load.BcfFlavor;
import io.junction.bench.load.LoadSpec;
import io.junction.bench.load.Mode;

import java.time.Duration;

/**
 * Default load shape per mode, sized for a small (2-core) machine where generator, backend and proxy share the
 * CPUs. Used by {@code all} and as the option defaults of each mode command. Thread-safe (constants).
 */
final class ModeDefaults {
    static final String STREAM_CONNECTIONS = "2";
    static final String RR_CONNECTIONS = "4";
    static final String CRR_CONNECTIONS = "4";
    /** Like the HTTP load in issue #12: many clients, so the proxy sees many connections open and closing at once. */
    static final String BCF_CONNECTIONS = "50";
    static final String BCF_RESPONSE_SIZE = "128";
    static final String BCF_FLAVOR = "http";
    static final String UDP_STREAM_FLOWS = "2";
    static final String UDP_RR_FLOWS = "4";
    static final String RR_SIZE = "64";
    static final String UDP_STREAM_SIZE = "512";
    static final String UDP_STREAM_RATE = "20000";
    static final String UDP_TIMEOUT = "200ms";

    private ModeDefaults() {
    }

    static LoadSpec spec(Mode mode, CommonOptions o) {
        Duration timeout = DurationConverter.parse(UDP_TIMEOUT);
        return switch (mode) {
            case TCP_STREAM -> new LoadSpec(mode, i(STREAM_CONNECTIONS), 1, StreamDirection.UPLOAD, 0, o.warmup(),
                    o.duration(), o.maxOps, timeout);
            case TCP_RR -> new LoadSpec(mode, i(RR_CONNECTIONS), i(RR_SIZE), StreamDirection.UPLOAD, 0, o.warmup(),
                    o.duration(), o.maxOps, timeout);
            case TCP_CRR -> new LoadSpec(mode, i(CRR_CONNECTIONS), i(RR_SIZE), StreamDirection.UPLOAD, 0,
                    o.warmup(), o.duration(), o.maxOps, timeout);
            case TCP_BCF -> new LoadSpec(mode, i(BCF_CONNECTIONS), i(RR_SIZE), StreamDirection.UPLOAD, 0,
                    o.warmup(), o.duration(), o.maxOps, timeout, BcfFlavor.valueOf(BCF_FLAVOR.toUpperCase()),
                    i(BCF_RESPONSE_SIZE));
            case UDP_STREAM -> new LoadSpec(mode, i(UDP_STREAM_FLOWS), i(UDP_STREAM_SIZE), StreamDirection.UPLOAD,
                    Long.parseLong(UDP_STREAM_RATE), o.warmup(), o.duration(), o.maxOps, timeout);
            case UDP_RR -> new LoadSpec(mode, i(UDP_RR_FLOWS), i(RR_SIZE), StreamDirection.UPLOAD, 0, o.warmup(),
                    o.duration(), o.maxOps, timeout);
        };
    }

    private static int i(String s) {
        return Integer.parseInt(s);
    }
}
