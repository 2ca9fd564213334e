package io.junction.agent.config;

import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.forward.tcp.AccessLogFormat;
import io.junction.core.model.ServiceKey;
import io.junction.core.model.ServicePolicy;
import io.junction.core.model.ServiceSpec;
import io.junction.core.state.NodePolicy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A validated agent config. Immutable.
 *
 * @param adminListen          where the admin server listens; null when it is turned off ({@code admin.listen: off})
 * @param workerThreads        event-loop threads; 0 means one per core
 * @param workerYieldMicros    a busy worker yields its core between turns at most once per this many µs; 0 = never
 * @param shutdownDrainTimeout on SIGTERM, how long live connections may keep running before they are closed
 * @param accessLog            whether one line per closed connection is logged
 * @param accessLogFormat      how those lines are written: text ({@code key=value}) or JSON lines
 * @param policy               how this node serves services: the {@code defaults} section and each service entry's
 *                             listen address and settings
 * @param services             the file's services as its discovery source delivers them, in file order
 * @param discovery            the other discovery sources, one per {@code discovery:} block, in file order
 * @param nodeMode             the {@code nodeMode} section ({@link NodeModeConfig#OFF} when absent); read at start
 */
public record AgentConfig(InetSocketAddress adminListen, int workerThreads, int workerYieldMicros,
                          Duration shutdownDrainTimeout, boolean accessLog,
                          AccessLogFormat accessLogFormat, NodePolicy policy,
                          Map<ServiceKey, ServiceDefinition> services, List<DiscoveryBlock> discovery,
                          NodeModeConfig nodeMode) {

    public static final InetSocketAddress DEFAULT_ADMIN_LISTEN = new InetSocketAddress("127.0.0.1", 9901);
    public static final int DEFAULT_WORKER_THREADS = 0;
    public static final int MAX_WORKER_THREADS = 1024;
    /** Measured: bounds the tcp-rr tail at 50 connections on 2 shared cores (see README, Performance). */
    public static final int DEFAULT_WORKER_YIELD_MICROS = 100;
    public static final int MAX_WORKER_YIELD_MICROS = 1_000_000;
    public static final Duration DEFAULT_SHUTDOWN_DRAIN_TIMEOUT = Duration.ofSeconds(30);
    public static final boolean DEFAULT_ACCESS_LOG = true;
    public static final AccessLogFormat DEFAULT_ACCESS_LOG_FORMAT = AccessLogFormat.TEXT;

    public AgentConfig {
        Objects.requireNonNull(shutdownDrainTimeout, "shutdownDrainTimeout");
        Objects.requireNonNull(accessLogFormat, "accessLogFormat");
        Objects.requireNonNull(services, "services");
        Objects.requireNonNull(policy, "policy");
        discovery = List.copyOf(discovery);
        Objects.requireNonNull(nodeMode, "nodeMode");
        if (workerThreads < 0 || workerThreads > MAX_WORKER_THREADS) {
            throw new IllegalArgumentException(
                    "workerThreads: " + workerThreads + " (expected: 0.." + MAX_WORKER_THREADS + ")");
        }
        if (workerYieldMicros < 0 || workerYieldMicros > MAX_WORKER_YIELD_MICROS) {
            throw new IllegalArgumentException(
                    "workerYieldMicros: " + workerYieldMicros + " (expected: 0.." + MAX_WORKER_YIELD_MICROS + ")");
        }
        if (shutdownDrainTimeout.isNegative()) {
            throw new IllegalArgumentException("shutdownDrainTimeout: " + shutdownDrainTimeout + " (expected: >= 0)");
        }
        // A copy that keeps file order: listeners are bound and logged in the order the user wrote them.
        services = Collections.unmodifiableMap(new LinkedHashMap<>(services));
    }

    /**
     * How this node serves one of the file's services, by the file alone (hints of other sources aside). A node-mode
     * service without a {@code listen} gets the node-mode listen address on port 0.
     */
    public ServiceSpec spec(ServiceKey key) {
        ServiceDefinition definition = services.get(key);
        if (definition == null) {
            throw new IllegalArgumentException("key: " + key + " (expected: a service of this config)");
        }
        ServicePolicy p = policy.resolve(key, definition.hints());
        InetSocketAddress listen = p.listen() != null ? p.listen() : nodeMode.listenFor(definition.virtualAddresses());
        return ServiceSpec.of(key, listen, p);
    }

    /** Whether the admin server is turned on. */
    public boolean adminEnabled() {
        return adminListen != null;
    }
}
