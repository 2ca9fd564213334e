package io.junction.agent.discovery.eureka;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code discovery.eureka} block, validated. Immutable.
 *
 * @param serviceUrls     Eureka base URLs ending in {@code /} (such as {@code http://127.0.0.1:8761/eureka/}), tried
 *                        in order: the first that answers is used until it fails, as Eureka clients do
 * @param refreshInterval how often the delta is fetched (Eureka clients: 30 s)
 * @param applications    the application names to serve, upper-case; empty for all
 * @param rename          application name (upper-case) to Junction service name
 * @param useSecurePort   always use the secure port ({@code securePort}), when it is enabled
 */
public record EurekaSettings(List<URI> serviceUrls, Duration refreshInterval, Set<String> applications,
                             Map<String, String> rename, boolean useSecurePort) {
    public static final Duration DEFAULT_REFRESH = Duration.ofSeconds(30);

    public EurekaSettings {
        serviceUrls = List.copyOf(serviceUrls);
        if (serviceUrls.isEmpty()) {
            throw new IllegalArgumentException("serviceUrls: [] (expected: at least one Eureka URL)");
        }
        Objects.requireNonNull(refreshInterval, "refreshInterval");
        if (refreshInterval.isZero() || refreshInterval.isNegative()) {
            throw new IllegalArgumentException("refreshInterval: " + refreshInterval + " (expected: > 0)");
        }
        applications = Set.copyOf(applications);
        rename = Map.copyOf(rename);
    }

    /** Whether this agent serves application {@code app} (any case). */
    public boolean serves(String app) {
        return applications.isEmpty() || applications.contains(app.toUpperCase(Locale.ROOT));
    }

    /**
     * The Junction service name of application {@code app}: its {@code rename} entry, else the name lower-cased
     * (Eureka upper-cases application names).
     */
    public String serviceName(String app) {
        String upper = app.toUpperCase(Locale.ROOT);
        String renamed = rename.get(upper);
        return renamed != null ? renamed : upper.toLowerCase(Locale.ROOT);
    }
}
