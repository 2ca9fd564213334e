package io.junction.agent.discovery.nacos;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code discovery.nacos} block, validated. Immutable.
 *
 * @param servers      {@code serverAddr}: the servers to ask, in order; the next one is tried when one fails
 * @param namespace    the namespace id ({@code namespaceId}); empty for Nacos's {@code public}
 * @param group        the group of every watched service
 * @param services     the Nacos service names to watch
 * @param clusters     the clusters to read instances of; empty for all
 * @param username     the user for Nacos auth, or null when the server has auth off
 * @param password     that user's password, or null
 * @param pollInterval the time between two reads of every service
 * @param rename       Nacos service name → Junction service name, for the names that differ
 */
public record NacosSettings(List<NacosServer> servers, String namespace, String group, List<String> services,
                            List<String> clusters, String username, String password, Duration pollInterval,
                            Map<String, String> rename) {
    public static final String DEFAULT_GROUP = "DEFAULT_GROUP";
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(5);
    public static final Duration MIN_POLL_INTERVAL = Duration.ofMillis(500);
    public static final Duration MAX_POLL_INTERVAL = Duration.ofMinutes(5);

    public NacosSettings {
        servers = List.copyOf(servers);
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("servers: empty (expected: at least one)");
        }
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(group, "group");
        services = List.copyOf(services);
        clusters = List.copyOf(clusters);
        if ((username == null) != (password == null)) {
            throw new IllegalArgumentException("username and password: give both or neither");
        }
        Objects.requireNonNull(pollInterval, "pollInterval");
        if (pollInterval.compareTo(MIN_POLL_INTERVAL) < 0 || pollInterval.compareTo(MAX_POLL_INTERVAL) > 0) {
            throw new IllegalArgumentException("pollInterval: " + pollInterval + " (expected: " + MIN_POLL_INTERVAL
                    + ".." + MAX_POLL_INTERVAL + ")");
        }
        rename = Map.copyOf(rename);
    }

    /** The Junction name of Nacos service {@code service}. */
    public String junctionName(String service) {
        return rename.getOrDefault(service, service);
    }

    boolean authenticated() {
        return username != null;
    }

    @Override
    public String toString() {
        // Never the password: settings end up in logs.
        return "NacosSettings[servers=" + servers + ", namespace=" + namespace + ", group=" + group + ", services="
                + services + ", clusters=" + clusters + ", username=" + username + ", pollInterval=" + pollInterval
                + ", rename=" + rename + "]";
    }
}
