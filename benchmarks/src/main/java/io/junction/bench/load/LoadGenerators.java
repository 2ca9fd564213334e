package io.junction.bench.load;

import io.netty.channel.EventLoopGroup;

import java.net.InetSocketAddress;

/**
 * Creates the generator for a mode. Thread-safe (stateless).
 */
public final class LoadGenerators {
    private LoadGenerators() {
    }

    public static LoadGenerator create(LoadSpec spec, InetSocketAddress target, EventLoopGroup group,
                                       LoadControl control, Tally tally) {
        if (!target.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("target: " + target + " (expected: a loopback address; the harness"
                    + " only sends traffic to 127.0.0.1)");
        }
        return switch (spec.mode()) {
            case TCP_STREAM -> new TcpStreamLoad(spec, target, group, control, tally);
            case TCP_RR -> new TcpRrLoad(spec, target, group, control, tally);
            case TCP_CRR, TCP_BCF -> new TcpCrrLoad(spec, target, group, control, tally);
            case UDP_STREAM, UDP_RR -> new UdpLoad(spec, target, group, control, tally);
        };
    }
}
