package io.junction.agent.discovery.zookeeper;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code discovery.zookeeper} block, validated. Immutable.
 *
 * @param connect           the ZooKeeper connect string, {@code host:port[,host:port...][/chroot]}
 * @param basePath          the znode under which services register ({@code {basePath}/{service}/{instanceId}})
 * @param sessionTimeout    the ZooKeeper session timeout asked for (the server may bound it)
 * @param connectionTimeout how long one connection attempt may take
 * @param services          the registry services to watch; empty: every child of {@code basePath}, new ones too
 * @param rename            registry service name to Junction service name; names not in it are kept
 */
public record ZooKeeperSettings(String connect, String basePath, Duration sessionTimeout, Duration connectionTimeout,
                                Set<String> services, Map<String, String> rename) {
    public static final String DEFAULT_BASE_PATH = "/services";
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(15);

    public ZooKeeperSettings {
        Objects.requireNonNull(connect, "connect");
        Objects.requireNonNull(basePath, "basePath");
        Objects.requireNonNull(sessionTimeout, "sessionTimeout");
        Objects.requireNonNull(connectionTimeout, "connectionTimeout");
        services = Set.copyOf(services);
        rename = Map.copyOf(rename);
    }

    /** The defaults for everything but the connect string. */
    public static ZooKeeperSettings of(String connect) {
        return new ZooKeeperSettings(connect, DEFAULT_BASE_PATH, DEFAULT_SESSION_TIMEOUT, DEFAULT_CONNECTION_TIMEOUT,
                Set.of(), Map.of());
    }

    /** The Junction service name of registry service {@code registryName}. */
    public String junctionName(String registryName) {
        return rename.getOrDefault(registryName, registryName);
    }

    /** Whether registry service {@code registryName} is read at all. */
    public boolean watches(String registryName) {
        return services.isEmpty() || services.contains(registryName);
    }
}
