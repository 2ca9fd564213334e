package io.junction.agent.discovery.kubernetes;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.junction.agent.config.AnnotationReader;
import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.model.Endpoint;
import io.junction.core.model.HealthSettings;
import io.junction.core.model.LbPolicy;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.model.ServicePolicy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Turns a Service and its EndpointSlices into service ports, as kube-proxy does: one {@link ServiceKey} per TCP or UDP
 * port of the Service (SCTP is reported as ignored), the Service's cluster IPs as virtual addresses, and the
 * endpoints of every slice whose port has the same name and protocol, with that slice port's number. Headless and
 * ExternalName Services give nothing. Pure: no I/O, no logging; what it could not use is in the {@link Result}.
 */
public final class KubernetesTranslator {
    /** The label that ties an EndpointSlice to its Service. */
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    /** A load-balancing policy name, as the config's {@code lb} key takes it. */
    public static final String LB_ANNOTATION = "junction.io/lb";
    /** A YAML mapping with a service entry's health keys, such as {@code {healthCheck: {type: http}}}. */
    public static final String HEALTH_ANNOTATION = "junction.io/health";
    /** Kubernetes' default {@code sessionAffinityConfig.clientIP.timeoutSeconds}. */
    static final int DEFAULT_AFFINITY_SECONDS = 10_800;

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private final String nodeName;

    /** @param nodeName this node's name, for {@code internalTrafficPolicy: Local} */
    public KubernetesTranslator(String nodeName) {
        this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
    }

    /**
     * An annotation that could not be applied.
     *
     * @param annotation its key
     * @param value      its value
     * @param reason     why it was not applied
     */
    public record AnnotationProblem(String annotation, String value, String reason) {
    }

    /**
     * What one Service translates to.
     *
     * @param services        its service ports with their endpoints; empty when skipped
     * @param skipped         why the whole Service was skipped (headless, ExternalName), or null
     * @param ignoredPorts    ports left out, each with the reason (SCTP)
     * @param badAnnotations  annotations not applied; the rest of the Service is unaffected
     */
    public record Result(Map<ServiceKey, ServiceDefinition> services, String skipped, List<String> ignoredPorts,
                         List<AnnotationProblem> badAnnotations) {
        public Result {
            services = Collections.unmodifiableMap(new LinkedHashMap<>(services));
            ignoredPorts = List.copyOf(ignoredPorts);
            badAnnotations = List.copyOf(badAnnotations);
        }
    }

    /** The service ports of {@code service} with endpoints from {@code slices} (the slices labelled with its name). */
    public Result translate(Service service, Collection<EndpointSlice> slices) {
        String namespace = service.getMetadata().getNamespace();
        String name = service.getMetadata().getName();
        ServiceSpec spec = service.getSpec();
        if (spec == null) {
            return new Result(Map.of(), "no spec", List.of(), List.of());
        }
        if ("ExternalName".equals(spec.getType())) {
            return new Result(Map.of(), "type ExternalName", List.of(), List.of());
        }
        if ("None".equals(spec.getClusterIP())) {
            return new Result(Map.of(), "headless (clusterIP: None)", List.of(), List.of());
        }
        List<AnnotationProblem> problems = new ArrayList<>();
        ServicePolicy hints = hints(service, problems);
        List<InetAddress> clusterIps = clusterIps(spec);
        boolean localOnly = "Local".equals(spec.getInternalTrafficPolicy());
        List<EndpointSlice> sorted = new ArrayList<>(slices);
        sorted.sort(Comparator.comparing(s -> s.getMetadata().getName()));

        Map<ServiceKey, ServiceDefinition> out = new LinkedHashMap<>();
        List<String> ignored = new ArrayList<>();
        List<ServicePort> ports = spec.getPorts() == null ? List.of() : spec.getPorts();
        for (ServicePort port : ports) {
            String portName = port.getName() == null ? "" : port.getName();
            String proto = port.getProtocol() == null ? "TCP" : port.getProtocol();
            Protocol protocol;
            if ("TCP".equals(proto)) {
                protocol = Protocol.TCP;
            } else if ("UDP".equals(proto)) {
                protocol = Protocol.UDP;
            } else {
                ignored.add("port " + (portName.isEmpty() ? String.valueOf(port.getPort()) : portName) + ": protocol "
                        + proto + " is not supported");
                continue;
            }
            ServiceKey key = new ServiceKey(namespace, name, portName, protocol);
            List<InetSocketAddress> virtual = new ArrayList<>();
            if (port.getPort() != null) {
                for (InetAddress ip : clusterIps) {
                    virtual.add(new InetSocketAddress(ip, port.getPort()));
                }
            }
            List<Endpoint> endpoints = endpoints(sorted, portName, proto, localOnly);
            ServicePolicy keyHints = hints;
            if (protocol == Protocol.UDP && hints.health() != null && hints.health().check().enabled()
                    && hints.health().check().port() == 0) {
                if (problems.stream().noneMatch(p -> p.annotation().equals(HEALTH_ANNOTATION))) {
                    problems.add(new AnnotationProblem(HEALTH_ANNOTATION, annotation(service, HEALTH_ANNOTATION),
                            "healthCheck.port: missing (udp port " + (portName.isEmpty() ? port.getPort() : portName)
                                    + " needs a TCP port to probe); not applied to the udp ports"));
                }
                keyHints = hints.withHealth(null);
            }
            out.put(key, new ServiceDefinition(key, virtual, keyHints, endpoints));
        }
        return new Result(out, null, ignored, problems);
    }

    private ServicePolicy hints(Service service, List<AnnotationProblem> problems) {
        ServicePolicy hints = ServicePolicy.EMPTY;
        ServiceSpec spec = service.getSpec();
        if ("ClientIP".equals(spec.getSessionAffinity())) {
            int seconds = DEFAULT_AFFINITY_SECONDS;
            if (spec.getSessionAffinityConfig() != null && spec.getSessionAffinityConfig().getClientIP() != null
                    && spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds() != null) {
                seconds = spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds();
            }
            hints = hints.withLb(LbPolicy.CLIENT_IP);
            try {
                hints = hints.withAffinityTimeout(Duration.ofSeconds(seconds));
            } catch (IllegalArgumentException e) {
                // The API server allows 1..86400, as the model does; a value outside is left to the defaults.
                hints = hints.withAffinityTimeout(null);
            }
        }
        String lb = annotation(service, LB_ANNOTATION);
        if (lb != null) {
            try {
                hints = hints.withLb(AnnotationReader.lb(lb));
            } catch (IllegalArgumentException e) {
                problems.add(new AnnotationProblem(LB_ANNOTATION, lb, e.getMessage()));
            }
        }
        String health = annotation(service, HEALTH_ANNOTATION);
        if (health != null) {
            try {
                hints = hints.withHealth(AnnotationReader.health(health, HealthSettings.DEFAULTS));
            } catch (IllegalArgumentException e) {
                problems.add(new AnnotationProblem(HEALTH_ANNOTATION, health, e.getMessage()));
            }
        }
        return hints;
    }

    private static String annotation(Service service, String key) {
        Map<String, String> annotations = service.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }

    private static List<InetAddress> clusterIps(ServiceSpec spec) {
        List<String> ips = spec.getClusterIPs() != null && !spec.getClusterIPs().isEmpty() ? spec.getClusterIPs()
                : spec.getClusterIP() == null ? List.of() : List.of(spec.getClusterIP());
        List<InetAddress> out = new ArrayList<>();
        for (String ip : ips) {
            InetAddress a = ipLiteral(ip);
            if (a != null) {
                out.add(a);
            }
        }
        return out;
    }

    private List<Endpoint> endpoints(List<EndpointSlice> slices, String portName, String protocol, boolean localOnly) {
        Map<InetSocketAddress, Endpoint> out = new LinkedHashMap<>();
        for (EndpointSlice slice : slices) {
            if ("FQDN".equals(slice.getAddressType()) || slice.getPorts() == null || slice.getEndpoints() == null) {
                continue;
            }
            Integer number = null;
            for (EndpointPort p : slice.getPorts()) {
                String n = p.getName() == null ? "" : p.getName();
                String proto = p.getProtocol() == null ? "TCP" : p.getProtocol();
                if (n.equals(portName) && proto.equals(protocol) && p.getPort() != null) {
                    number = p.getPort();
                    break;
                }
            }
            if (number == null || number < 1 || number > 65_535) {
                continue;
            }
            for (io.fabric8.kubernetes.api.model.discovery.v1.Endpoint e : slice.getEndpoints()) {
                if (localOnly && !nodeName.equals(e.getNodeName())) {
                    continue;
                }
                EndpointConditions c = e.getConditions();
                // The API: an unknown (nil) ready is to be read as ready; serving follows ready when unset.
                boolean ready = c == null || c.getReady() == null || c.getReady();
                boolean serving = c == null || c.getServing() == null ? ready : c.getServing();
                boolean terminating = c != null && Boolean.TRUE.equals(c.getTerminating());
                for (String ip : e.getAddresses() == null ? List.<String>of() : e.getAddresses()) {
                    InetAddress a = ipLiteral(ip);
                    if (a == null) {
                        continue;
                    }
                    InetSocketAddress sa = new InetSocketAddress(a, number);
                    out.putIfAbsent(sa, new Endpoint(sa, 1, e.getZone(), e.getNodeName(), ready, serving,
                            terminating));
                }
            }
        }
        return List.copyOf(out.values());
    }

    /** The address {@code ip} spells, or null when it is not an IP literal (never a DNS lookup). */
    static InetAddress ipLiteral(String ip) {
        if (ip == null || !IPV4.matcher(ip).matches() && !IPV6.matcher(ip).matches()) {
            return null;
        }
        try {
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
