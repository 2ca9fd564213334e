package io.junction.bench.targets;

import io.junction.core.model.Protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Picks a currently free loopback port for a proxy's listen address (the proxies need a number in their config;
 * the tiny race with other programs is acceptable on a benchmark box). Thread-safe (stateless).
 */
public final class FreePorts {
    private FreePorts() {
    }

    public static int pick(Protocol protocol) {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try {
            if (protocol == Protocol.UDP) {
                try (DatagramSocket s = new DatagramSocket(any)) {
                    return s.getLocalPort();
                }
            }
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(false);
                s.bind(any);
                return s.getLocalPort();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }
}
