package io.junction.bench.targets;

import java.net.InetSocketAddress;
import java.util.OptionalLong;

/**
 * A proxy someone else started ({@code --target name=host:port[@pid]}); it must already forward to the harness
 * backend port. Only loopback addresses are accepted. With a PID, the proxy's CPU time and RSS are sampled like those
 * of the proxies the harness starts, so two builds of one proxy can be compared per operation. Immutable.
 */
public final class ExternalTarget implements Target {
    private final String name;
    private final InetSocketAddress address;
    private final OptionalLong pid;

    public ExternalTarget(String name, InetSocketAddress address) {
        this(name, address, OptionalLong.empty());
    }

    public ExternalTarget(String name, InetSocketAddress address, OptionalLong pid) {
        if (address.isUnresolved() || !address.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("target " + name + ": " + address
                    + " (expected: a loopback address; the harness only sends traffic to 127.0.0.1)");
        }
        this.name = name;
        this.address = address;
        this.pid = pid;
    }

    /** Parses {@code name=host:port} or {@code name=host:port@pid}. */
    public static ExternalTarget parse(String spec) {
        int eq = spec.indexOf('=');
        int at = spec.indexOf('@', eq + 1);
        String hostPort = at < 0 ? spec : spec.substring(0, at);
        int colon = hostPort.lastIndexOf(':');
        if (eq <= 0 || colon < eq + 2 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("--target: " + spec + " (expected: name=host:port[@pid])");
        }
        String host = hostPort.substring(eq + 1, colon);
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--target: " + spec + " (expected: a numeric port)", e);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("--target port: " + port + " (expected: 1..65535)");
        }
        OptionalLong pid = at < 0 ? OptionalLong.empty() : OptionalLong.of(parsePid(spec, spec.substring(at + 1)));
        return new ExternalTarget(spec.substring(0, eq), new InetSocketAddress(host, port), pid);
    }

    private static long parsePid(String spec, String text) {
        long pid;
        try {
            pid = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--target: " + spec + " (expected: a numeric pid after @)", e);
        }
        if (pid <= 0 || ProcessHandle.of(pid).isEmpty()) {
            throw new IllegalArgumentException("--target pid: " + text + " (expected: a running process)");
        }
        return pid;
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
        return pid;
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
