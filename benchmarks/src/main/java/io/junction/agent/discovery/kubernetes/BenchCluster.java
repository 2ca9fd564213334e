package io.junction.agent.discovery.kubernetes;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;

import java.util.ArrayList;
import java.util.List;

/**
 * A cluster as the informers would list it, built with the Fabric8 builders: {@code size} Services in 100
 * namespaces, each with one TCP port ({@value #PORT_NAME}, 80 → {@value #TARGET_PORT}) and a ClusterIP, and one
 * EndpointSlice of {@value #ENDPOINTS_PER_SLICE} ready endpoints on three nodes. Per Service it also holds the same
 * slice after one {@link SliceChange}, so that an update costs the benchmark no object building.
 *
 * <p>Addresses: ClusterIPs from 10.96.0.0/12, endpoints from 10.0.0.0/12, replacement endpoints from 10.16.0.0/12.
 *
 * <p>Immutable after construction.
 */
final class BenchCluster {
    static final int ENDPOINTS_PER_SLICE = 10;
    static final String PORT_NAME = "http";
    static final int TARGET_PORT = 8080;
    static final String NODE = "node-0";
    /** Endpoint addresses are numbered {@code service * 10 + endpoint} inside one /12 (2^20 addresses). */
    static final int MAX_SERVICES = (1 << 20) / ENDPOINTS_PER_SLICE;

    private static final int NAMESPACES = 100;
    private static final int NODES = 3;

    private final Service[] services;
    private final EndpointSlice[] listed;
    private final EndpointSlice[] changed;

    BenchCluster(int size, SliceChange change) {
        if (size < 1 || size > MAX_SERVICES) {
            throw new IllegalArgumentException("size: " + size + " (expected: 1.." + MAX_SERVICES + ")");
        }
        services = new Service[size];
        listed = new EndpointSlice[size];
        changed = new EndpointSlice[size];
        for (int s = 0; s < size; s++) {
            services[s] = buildService(s);
            List<Endpoint> endpoints = new ArrayList<>(ENDPOINTS_PER_SLICE);
            for (int e = 0; e < ENDPOINTS_PER_SLICE; e++) {
                endpoints.add(endpoint(ip(0, s * ENDPOINTS_PER_SLICE + e), e, true));
            }
            listed[s] = buildSlice(s, endpoints);
            List<Endpoint> after = new ArrayList<>(endpoints);
            if (change == SliceChange.READINESS) {
                after.set(0, endpoint(ip(0, s * ENDPOINTS_PER_SLICE), 0, false));
            } else {
                after.set(ENDPOINTS_PER_SLICE - 1, endpoint(ip(16, s), ENDPOINTS_PER_SLICE - 1, true));
            }
            changed[s] = buildSlice(s, after);
        }
    }

    int size() {
        return services.length;
    }

    Service service(int s) {
        return services[s];
    }

    /** Service {@code s}'s slice as first listed ({@code false}) or after the change ({@code true}). */
    EndpointSlice slice(int s, boolean afterChange) {
        return afterChange ? changed[s] : listed[s];
    }

    /** The one service port Service {@code s} translates to. */
    static ServiceKey key(int s) {
        return new ServiceKey(namespace(s), name(s), PORT_NAME, Protocol.TCP);
    }

    /** The address of endpoint {@code e} of Service {@code s} before any change. */
    static String endpointIp(int s, int e) {
        return ip(0, s * ENDPOINTS_PER_SLICE + e);
    }

    /** The address that replaces Service {@code s}'s last endpoint under {@link SliceChange#ENDPOINTS}. */
    static String replacementIp(int s) {
        return ip(16, s);
    }

    private static String namespace(int s) {
        return "ns-" + (s % NAMESPACES);
    }

    private static String name(int s) {
        return "svc-" + s;
    }

    private static Service buildService(int s) {
        return new ServiceBuilder()
                .withNewMetadata().withNamespace(namespace(s)).withName(name(s)).endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(ip(96, s)).withClusterIPs(ip(96, s))
                .withPorts(new ServicePortBuilder().withName(PORT_NAME).withPort(80).withProtocol("TCP")
                        .withNewTargetPort(TARGET_PORT).build())
                .endSpec().build();
    }

    private static EndpointSlice buildSlice(int s, List<Endpoint> endpoints) {
        return new EndpointSliceBuilder()
                .withNewMetadata().withNamespace(namespace(s)).withName(name(s) + "-x7k2p")
                .addToLabels(KubernetesTranslator.SERVICE_NAME_LABEL, name(s)).endMetadata()
                .withAddressType("IPv4")
                .withPorts(new EndpointPortBuilder().withName(PORT_NAME).withPort(TARGET_PORT).withProtocol("TCP")
                        .build())
                .withEndpoints(endpoints).build();
    }

    private static Endpoint endpoint(String ip, int e, boolean ready) {
        return new EndpointBuilder().withAddresses(ip).withNodeName("node-" + (e % NODES)).withZone("zone-a")
                .withNewConditions().withReady(ready).withServing(ready).withTerminating(false).endConditions()
                .build();
    }

    /** Address {@code n} (below 2^20) of the /12 that starts at 10.{@code second}.0.0. */
    private static String ip(int second, int n) {
        return "10." + (second + (n >>> 16)) + "." + ((n >>> 8) & 0xff) + "." + (n & 0xff);
    }
}
