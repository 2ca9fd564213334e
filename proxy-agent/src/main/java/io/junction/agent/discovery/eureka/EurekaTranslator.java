package io.junction.agent.discovery.eureka;

import io.junction.agent.config.ServiceNames;
import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.model.Endpoint;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns Eureka instances into Junction services. Pure: the same instances give equal definitions.
 *
 * <ul>
 *   <li>Name: application {@code WEB} is service {@code web} (or its {@code rename}), namespace {@code default}, no
 *       port name; protocol TCP unless the instance's {@code metadata.protocol} is {@code udp}.</li>
 *   <li>Conditions from {@code status}: UP is ready; STARTING and OUT_OF_SERVICE are not ready but serving; DOWN and
 *       UNKNOWN (or any other value) are neither.</li>
 *   <li>Address {@code ipAddr} (an IP literal; host names are not resolved here). Port: the non-secure
 *       {@code port} when enabled; the {@code securePort} when it is enabled and the non-secure one is not. With
 *       {@code useSecurePort}, always the {@code securePort}, and an instance whose secure port is not enabled is
 *       left out (its plain port would get bytes meant for TLS).</li>
 * </ul>
 * An instance that cannot be used (no enabled port, no IP address, a name that is not a valid service name) is left
 * out with a problem line naming it; the rest of the application is served.
 *
 * <p>Stateless and thread-safe.
 */
public final class EurekaTranslator {
    private final EurekaSettings settings;

    public EurekaTranslator(EurekaSettings settings) {
        this.settings = settings;
    }

    /**
     * The services these instances make, and one line per instance left out.
     *
     * @param services every service with at least one usable instance
     * @param problems one line per instance left out, naming it and the reason
     */
    public record Result(Map<ServiceKey, ServiceDefinition> services, List<String> problems) {
    }

    public Result translate(List<EurekaInstance> instances) {
        Map<ServiceKey, Map<InetSocketAddress, Endpoint>> byService = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (EurekaInstance i : instances) {
            if (!settings.serves(i.app())) {
                continue;
            }
            String name = settings.serviceName(i.app());
            if (!ServiceNames.valid(name)) {
                problems.add("instance=" + i.describe() + " skipped reason=\"service name " + name
                        + " is not valid (lower-case letters, digits, '-' and '.'; use rename)\"");
                continue;
            }
            String unusable = unusable(i);
            if (unusable != null) {
                problems.add("instance=" + i.describe() + " skipped reason=\"" + unusable + "\"");
                continue;
            }
            Protocol protocol = "udp".equalsIgnoreCase(i.protocol()) ? Protocol.UDP : Protocol.TCP;
            Endpoint e = endpoint(i);
            // Two instances on one address (a re-registration under a new id) are one endpoint: the readier wins.
            byService.computeIfAbsent(ServiceKey.of(name, protocol), k -> new LinkedHashMap<>())
                    .merge(e.address(), e, (old, now) -> rank(now) > rank(old) ? now : old);
        }
        Map<ServiceKey, ServiceDefinition> services = new LinkedHashMap<>();
        byService.forEach((key, eps) -> services.put(key, ServiceDefinition.of(key, List.copyOf(eps.values()))));
        return new Result(services, problems);
    }

    /** Why the instance cannot be an endpoint, or null. */
    private String unusable(EurekaInstance i) {
        if (i.ipAddr() == null || !NetUtil.isValidIpV4Address(i.ipAddr()) && !NetUtil.isValidIpV6Address(i.ipAddr())) {
            return "ipAddr " + i.ipAddr() + " is not an IP address";
        }
        if (settings.useSecurePort() && !i.securePortEnabled()) {
            return "useSecurePort is set and securePort is not enabled";
        }
        int port = port(i);
        if (port <= 0) {
            return port == 0 ? "no enabled port" : "the enabled port is 0";
        }
        return null;
    }

    /** The port to use; 0 when none is enabled, -1 when the enabled one is 0. */
    private int port(EurekaInstance i) {
        int chosen;
        if (i.securePortEnabled() && (settings.useSecurePort() || !i.portEnabled())) {
            chosen = i.securePort();
        } else if (i.portEnabled() && !settings.useSecurePort()) {
            chosen = i.port();
        } else {
            return 0;
        }
        return chosen == 0 ? -1 : chosen;
    }

    private Endpoint endpoint(EurekaInstance i) {
        InetAddress ip = NetUtil.createInetAddressFromIpAddressString(i.ipAddr());
        InetSocketAddress address = new InetSocketAddress(ip, port(i));
        return switch (i.status().toUpperCase(Locale.ROOT)) {
            case "UP" -> new Endpoint(address, 1, i.zone(), "", true, true, false);
            case "STARTING", "OUT_OF_SERVICE" -> new Endpoint(address, 1, i.zone(), "", false, true, false);
            default -> new Endpoint(address, 1, i.zone(), "", false, false, false);
        };
    }

    private static int rank(Endpoint e) {
        return (e.ready() ? 2 : 0) + (e.serving() ? 1 : 0);
    }
}
