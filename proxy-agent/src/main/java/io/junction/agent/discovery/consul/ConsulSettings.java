package io.junction.agent.discovery.consul;

import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code discovery.consul} block, validated. Immutable.
 *
 * @param address     the registry's base URI, {@code http://host:port} or {@code https://host:port}, without a path
 * @param token       the ACL token sent as {@code X-Consul-Token}, or null
 * @param services    the registry service names to watch, or null for every service of the catalog
 * @param datacenter  the datacenter to ask ({@code ?dc=}), or null for the registry's own
 * @param tag         only instances with this tag ({@code ?tag=}), or null for all
 * @param onlyPassing ask only for instances whose checks all pass ({@code ?passing}); otherwise a warning instance
 *                    counts with its warning weight and a critical one is listed not ready
 * @param waitTime    how long the registry may hold a blocking query ({@code ?wait=})
 * @param rename      registry service name to Junction service name, for the names that differ
 */
public record ConsulSettings(URI address, String token, List<String> services, String datacenter, String tag,
                             boolean onlyPassing, Duration waitTime, Map<String, String> rename) {
    /**
     * Under the 60 s idle timeout common to load balancers and NATs even with the up to wait/16 (3.4 s) Consul adds to
     * spread wake-ups; Spring Cloud Consul and consul-template choose the same order of magnitude.
     */
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(55);
    /** Consul caps {@code wait} at 10 minutes. */
    public static final Duration MAX_WAIT = Duration.ofMinutes(10);
    public static final Duration MIN_WAIT = Duration.ofSeconds(1);

    public ConsulSettings {
        Objects.requireNonNull(address, "address");
        services = services == null ? null : List.copyOf(services);
        Objects.requireNonNull(waitTime, "waitTime");
        if (waitTime.compareTo(MIN_WAIT) < 0 || waitTime.compareTo(MAX_WAIT) > 0) {
            throw new IllegalArgumentException("waitTime: " + waitTime + " (expected: " + MIN_WAIT + ".."
                    + MAX_WAIT + ")");
        }
        rename = Map.copyOf(rename);
    }

    /** Watching every service of the catalog, with the defaults for the rest. */
    public static ConsulSettings of(URI address) {
        return new ConsulSettings(address, null, null, null, null, true, DEFAULT_WAIT, Map.of());
    }

    /** The Junction service a registry service's instances go to: its {@code rename}, else the same name. */
    public String junctionName(String registryName) {
        return rename.getOrDefault(registryName, registryName);
    }

    /**
     * The key a registry service's instances are delivered under: the one a {@code services[]} entry with that name
     * and no {@code namespace}, {@code port} or {@code protocol} has (namespace {@code default}, no port name, tcp),
     * so that the entry's {@code listen} serves them.
     */
    public ServiceKey keyOf(String registryName) {
        return ServiceKey.of(junctionName(registryName), Protocol.TCP);
    }

    /** Whether {@link #services} is unset: the catalog itself is watched for services to come and go. */
    public boolean watchesCatalog() {
        return services == null;
    }

    @Override
    public String toString() {
        // The token stays out of logs.
        return "ConsulSettings[address=" + address + ", token=" + (token == null ? "none" : "set") + ", services="
                + (services == null ? "*" : services) + ", datacenter=" + datacenter + ", tag=" + tag
                + ", onlyPassing=" + onlyPassing + ", wait=" + waitTime + ", rename=" + rename + "]";
    }
}
