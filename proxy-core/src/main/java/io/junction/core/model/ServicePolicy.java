package io.junction.core.model;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * How a service is served, as far as one layer of configuration says: a node-wide default, a per-service override
 * from the agent's config, or a hint from discovery (a Kubernetes Service's {@code sessionAffinity}, a
 * {@code junction.io/lb} annotation). Every field may be null, meaning "not said here"; layers are stacked with
 * {@link #over}, and the top layer's non-null fields win.
 *
 * <p>Discovery describes a service; this node decides how to serve it. So a hint from discovery never carries a
 * listen address: where a service listens is the node's decision (its config, or the service's virtual IP in node
 * mode).
 *
 * <p>Immutable.
 *
 * @param listen          the local address to listen on, or null
 * @param lb              load-balancing policy, or null
 * @param affinityTimeout client-ip affinity idle timeout, or null
 * @param tcp             TCP settings, or null (a layer sets them as a whole, already filled from the layer below)
 * @param udp             UDP settings, or null (likewise)
 * @param health          health checking and endpoint protection, or null (likewise)
 */
public record ServicePolicy(InetSocketAddress listen, LbPolicy lb, Duration affinityTimeout, TcpSettings tcp,
                            UdpSettings udp, HealthSettings health) {

    /** A layer that says nothing. */
    public static final ServicePolicy EMPTY = new ServicePolicy(null, null, null, null, null, null);

    /** The built-in defaults under every other layer: everything set except the listen address. */
    public static final ServicePolicy DEFAULTS = new ServicePolicy(null, LbPolicy.ROUND_ROBIN,
            ServiceSpec.DEFAULT_AFFINITY_TIMEOUT, TcpSettings.DEFAULTS, UdpSettings.DEFAULTS, HealthSettings.DEFAULTS);

    public ServicePolicy {
        if (affinityTimeout != null) {
            ServiceSpec.checkAffinityTimeout(affinityTimeout);
        }
    }

    /** This layer on top of {@code lower}: each field is this one's when set, else {@code lower}'s. */
    public ServicePolicy over(ServicePolicy lower) {
        if (lower == null || lower.equals(EMPTY)) {
            return this;
        }
        return new ServicePolicy(
                listen != null ? listen : lower.listen,
                lb != null ? lb : lower.lb,
                affinityTimeout != null ? affinityTimeout : lower.affinityTimeout,
                tcp != null ? tcp : lower.tcp,
                udp != null ? udp : lower.udp,
                health != null ? health : lower.health);
    }

    /** Whether every field but the listen address is set, as the layers must be once stacked on {@link #DEFAULTS}. */
    public boolean isComplete() {
        return lb != null && affinityTimeout != null && tcp != null && udp != null && health != null;
    }

    public ServicePolicy withListen(InetSocketAddress value) {
        return new ServicePolicy(value, lb, affinityTimeout, tcp, udp, health);
    }

    public ServicePolicy withLb(LbPolicy value) {
        return new ServicePolicy(listen, value, affinityTimeout, tcp, udp, health);
    }

    public ServicePolicy withAffinityTimeout(Duration value) {
        return new ServicePolicy(listen, lb, value, tcp, udp, health);
    }

    public ServicePolicy withTcp(TcpSettings value) {
        return new ServicePolicy(listen, lb, affinityTimeout, value, udp, health);
    }

    public ServicePolicy withUdp(UdpSettings value) {
        return new ServicePolicy(listen, lb, affinityTimeout, tcp, value, health);
    }

    public ServicePolicy withHealth(HealthSettings value) {
        return new ServicePolicy(listen, lb, affinityTimeout, tcp, udp, value);
    }
}
