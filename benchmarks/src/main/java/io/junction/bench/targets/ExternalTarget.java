package io.junction.bench.targets;

import java.net.InetSocketAddress;
import java.util.OptionalLong;

/**
 * A proxy someone else started ({@code --target name=host:port}); it must already forward to the harness backend
 * port. Only loopback addresses are accepted. Immutable.
 */
public final class ExternalTarget implements Target {
    private final String name;
    private final InetSocketAddress address;

    public ExternalTarget(String name, InetSocketAddress address) {
        if (address.isUnresolved() || !address.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("target " + name + ": " + address
                    + " (expected: a loopback address; the harness only sends traffic to 127.0.0.1)");
        }
        this.name = name;
        this.address = address;
    }

    /** Parses {@code name=host:port}. */
    public static ExternalTarget parse(String spec) {
        int eq = spec.indexOf('=');
        int colon = spec.lastIndexOf(':');
        if (eq <= 0 || colon < eq + 2 || colon == spec.length() - 1) {
            throw new IllegalArgumentException("--target: " + spec + " (expected: name=host:port)");
        }
        String host = spec.substring(eq + 1, colon);
        int port;
        try {
            port = Integer.parseInt(spec.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--target: " + spec + " (expected: a numeric port)", e);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("--target port: " + port + " (expected: 1..65535)");
        }
        return new ExternalTarget(spec.substring(0, eq), new InetSocketAddress(host, port));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public InetSocketAddress start(TargetContext context) {
        return address;
    }

    @Override
    public OptionalLong pid() {
        return OptionalLong.empty();
    }

    @Override
    public long launchMillis() {
        return -1;
    }

    @Override
    public void close() {
        // Not ours to stop.
    }
}
