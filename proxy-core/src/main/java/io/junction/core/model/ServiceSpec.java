package io.junction.core.model;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How one service port is served on this node, resolved from every layer of {@link ServicePolicy} (built-in defaults,
 * the config's defaults, discovery's hints, the config's per-service override) and a listen address: where it
 * listens, how it balances and its protocol settings. The data path reads only this. Endpoints are not part of the
 * spec; they change far more often and arrive separately. Immutable.
 *
 * @param key             the service port
 * @param listen          the local address the proxy listens on for this service
 * @param lb              load-balancing policy
 * @param affinityTimeout idle time after which a client-ip affinity entry expires (Kubernetes default 10800 s)
 * @param tcp             TCP settings (used when the protocol is tcp)
 * @param udp             UDP settings (used when the protocol is udp)
 * @param health          health checking and endpoint protection
 * @param virtualAddresses the service's virtual {@code ip:port}s from discovery (a ClusterIP per family), which node
 *                         mode intercepts; empty when it has none
 */
public record ServiceSpec(ServiceKey key, InetSocketAddress listen, LbPolicy lb, Duration affinityTimeout,
                          TcpSettings tcp, UdpSettings udp, HealthSettings health,
                          List<InetSocketAddress> virtualAddresses) {

    public static final Duration DEFAULT_AFFINITY_TIMEOUT = Duration.ofSeconds(10_800);
    public static final Duration MAX_AFFINITY_TIMEOUT = Duration.ofSeconds(86_400);

    public ServiceSpec {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(lb, "lb");
        Objects.requireNonNull(affinityTimeout, "affinityTimeout");
        Objects.requireNonNull(tcp, "tcp");
        Objects.requireNonNull(udp, "udp");
        Objects.requireNonNull(health, "health");
        virtualAddresses = List.copyOf(virtualAddresses);
        checkAffinityTimeout(affinityTimeout);
    }

    /**
     * The spec of {@code key} listening on {@code listen} with {@code policy}, whose fields other than the listen
     * address must all be set ({@link ServicePolicy#isComplete()}: stack it on {@link ServicePolicy#DEFAULTS}).
     */
    public static ServiceSpec of(ServiceKey key, InetSocketAddress listen, ServicePolicy policy) {
        if (!policy.isComplete()) {
            throw new IllegalArgumentException("policy: " + policy + " (expected: every field but listen set)");
        }
        return new ServiceSpec(key, listen, policy.lb(), policy.affinityTimeout(), policy.tcp(), policy.udp(),
                policy.health(), List.of());
    }

    static void checkAffinityTimeout(Duration affinityTimeout) {
        Checks.positive("affinityTimeout", affinityTimeout);
        if (affinityTimeout.compareTo(MAX_AFFINITY_TIMEOUT) > 0) {
            throw new IllegalArgumentException(
                    "affinityTimeout: " + affinityTimeout + " (expected: <= " + MAX_AFFINITY_TIMEOUT + ")");
        }
    }

    /** A spec with every default, for tests and programmatic use. */
    public static ServiceSpec of(ServiceKey key, InetSocketAddress listen, LbPolicy lb) {
        return new ServiceSpec(key, listen, lb, DEFAULT_AFFINITY_TIMEOUT, TcpSettings.DEFAULTS, UdpSettings.DEFAULTS,
                HealthSettings.DEFAULTS, List.of());
    }

    public ServiceSpec withHealth(HealthSettings value) {
        return new ServiceSpec(key, listen, lb, affinityTimeout, tcp, udp, value, virtualAddresses);
    }

    public ServiceSpec withVirtualAddresses(List<InetSocketAddress> value) {
        return new ServiceSpec(key, listen, lb, affinityTimeout, tcp, udp, health, value);
    }

    public Protocol protocol() {
        return key.protocol();
    }

    public ServiceSpec withListen(InetSocketAddress value) {
        return new ServiceSpec(key, value, lb, affinityTimeout, tcp, udp, health, virtualAddresses);
    }

    public ServiceSpec withLb(LbPolicy value) {
        return new ServiceSpec(key, listen, value, affinityTimeout, tcp, udp, health, virtualAddresses);
    }

    public ServiceSpec withAffinityTimeout(Duration value) {
        return new ServiceSpec(key, listen, lb, value, tcp, udp, health, virtualAddresses);
    }

    public ServiceSpec withTcp(TcpSettings value) {
        return new ServiceSpec(key, listen, lb, affinityTimeout, value, udp, health, virtualAddresses);
    }

    public ServiceSpec withUdp(UdpSettings value) {
        return new ServiceSpec(key, listen, lb, affinityTimeout, tcp, value, health, virtualAddresses);
    }
}
