package io.junction.agent.discovery.kubernetes;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;

import java.util.Arrays;
import java.util.List;

/** Builders for the Services and EndpointSlices the Kubernetes tests create. */
public final class K8sObjects {
    private K8sObjects() {
    }

    public static ServicePort port(String name, int port, String protocol) {
        return new ServicePortBuilder().withName(name).withPort(port).withProtocol(protocol).build();
    }

    public static ServiceBuilder service(String ns, String name, String clusterIp, ServicePort... ports) {
        return new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withClusterIP(clusterIp).withClusterIPs(clusterIp).withType("ClusterIP")
                .withPorts(Arrays.asList(ports)).endSpec();
    }

    public static Endpoint endpoint(String ip, String node, Boolean ready, Boolean serving, Boolean terminating) {
        return new EndpointBuilder().withAddresses(ip).withNodeName(node).withZone("zone-a")
                .withNewConditions().withReady(ready).withServing(serving).withTerminating(terminating)
                .endConditions().build();
    }

    public static Endpoint ready(String ip, String node) {
        return endpoint(ip, node, true, true, false);
    }

    /** A slice of {@code service} with one port ({@code portName}, {@code port}, TCP unless named udp-*). */
    public static EndpointSlice slice(String ns, String sliceName, String service, String portName, int port,
                               String addressType, List<Endpoint> endpoints) {
        String protocol = portName != null && portName.startsWith("udp") ? "UDP" : "TCP";
        return new EndpointSliceBuilder().withNewMetadata().withNamespace(ns).withName(sliceName)
                .addToLabels(KubernetesTranslator.SERVICE_NAME_LABEL, service).endMetadata()
                .withAddressType(addressType)
                .withPorts(new EndpointPortBuilder().withName(portName).withPort(port).withProtocol(protocol).build())
                .withEndpoints(endpoints).build();
    }

    public static EndpointSlice slice(String ns, String sliceName, String service, String portName, int port,
                               Endpoint... endpoints) {
        return slice(ns, sliceName, service, portName, port, "IPv4", List.of(endpoints));
    }

    public static Service build(ServiceBuilder b) {
        return b.build();
    }
}
