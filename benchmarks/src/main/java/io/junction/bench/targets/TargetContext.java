package io.junction.bench.targets;

import io.junction.core.model.Protocol;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * What a target needs to start. Immutable.
 *
 * @param protocol     protocol of the load
 * @param backend      address of the built-in backend the proxy forwards to
 * @param workDir      folder for generated configs and process logs
 * @param proxyThreads worker threads/processes for proxies; 0 = each proxy's own default (one per core)
 * @param pinCpu       CPU the proxy is pinned to with taskset, or -1 for no pinning
 */
public record TargetContext(Protocol protocol, InetSocketAddress backend, Path workDir, int proxyThreads,
                            int pinCpu) {
    public TargetContext {
        if (proxyThreads < 0) {
            throw new IllegalArgumentException("proxyThreads: " + proxyThreads + " (expected: >= 0)");
        }
    }
}
