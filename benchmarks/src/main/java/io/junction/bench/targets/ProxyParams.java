package io.junction.bench.targets;

import io.junction.core.model.Protocol;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * Inputs of a generated proxy config. Immutable.
 *
 * @param listen   loopback address the proxy listens on
 * @param backend  the built-in backend it forwards to
 * @param protocol TCP or UDP
 * @param threads  worker threads/processes; 0 = the proxy's default (one per core)
 * @param workDir  folder for pid files and logs the proxy writes itself
 */
public record ProxyParams(InetSocketAddress listen, InetSocketAddress backend, Protocol protocol, int threads,
                          Path workDir) {

    /** {@code host:port} of the listen address, as the configs want it. */
    public String listenHostPort() {
        return listen.getAddress().getHostAddress() + ":" + listen.getPort();
    }

    public String backendHostPort() {
        return backend.getAddress().getHostAddress() + ":" + backend.getPort();
    }
}
