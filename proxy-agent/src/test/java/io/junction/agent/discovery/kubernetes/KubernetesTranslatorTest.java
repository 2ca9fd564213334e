package io.junction.agent.discovery.kubernetes;

import static io.junction.agent.discovery.kubernetes.K8sObjects.endpoint;
import static io.junction.agent.discovery.kubernetes.K8sObjects.port;
import static io.junction.agent.discovery.kubernetes.K8sObjects.ready;
import static io.junction.agent.discovery.kubernetes.K8sObjects.service;
import static io.junction.agent.discovery.kubernetes.K8sObjects.slice;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.model.Endpoint;
import io.junction.core.model.HealthCheck;
import io.junction.core.model.LbPolicy;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.model.ServicePolicy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class KubernetesTranslatorTest {
    private final KubernetesTranslator translator = new KubernetesTranslator("node-1");

    private static ServiceKey key(String name, String port, Protocol p) {
        return new ServiceKey("ns", name, port, p);
    }

    @Test
    void onePortPerServicePortWithEndpointsMatchedByPortName() {
        Service svc = service("ns", "web", "10.96.0.10", port("http", 80, "TCP"), port("dns", 53, "UDP"),
                port("sctp", 9, "SCTP")).build();
        var r = translator.translate(svc, List.of(
                slice("ns", "web-a", "web", "http", 8080, ready("10.0.0.1", "node-1"), ready("10.0.0.2", "node-2")),
                slice("ns", "web-b", "web", "http", 8081, ready("10.0.0.3", "node-2")),
                slice("ns", "web-c", "web", "udp-dns", 5353, ready("10.0.0.4", "node-1"))));

        assertThat(r.services()).containsOnlyKeys(key("web", "http", Protocol.TCP), key("web", "dns", Protocol.UDP));
        ServiceDefinition http = r.services().get(key("web", "http", Protocol.TCP));
        assertThat(http.virtualAddresses()).containsExactly(new InetSocketAddress("10.96.0.10", 80));
        assertThat(http.endpoints()).extracting(Endpoint::hostPort)
                .containsExactly("10.0.0.1:8080", "10.0.0.2:8080", "10.0.0.3:8081");
        assertThat(http.endpoints().get(0).node()).isEqualTo("node-1");
        assertThat(http.endpoints().get(0).zone()).isEqualTo("zone-a");
        assertThat(http.hints()).isEqualTo(ServicePolicy.EMPTY);
        // The udp slice's port is named udp-dns, not dns: no match, as kube-proxy matches by name.
        assertThat(r.services().get(key("web", "dns", Protocol.UDP)).endpoints()).isEmpty();
        assertThat(r.ignoredPorts()).singleElement().asString().contains("sctp").contains("SCTP");
    }

    @Test
    void unnamedSinglePort() {
        Service svc = service("ns", "one", "10.96.0.11", port(null, 80, null)).build();
        var r = translator.translate(svc, List.of(slice("ns", "one-x", "one", null, 9000,
                ready("10.0.0.1", "n"))));
        assertThat(r.services().get(key("one", "", Protocol.TCP)).endpoints()).extracting(Endpoint::hostPort)
                .containsExactly("10.0.0.1:9000");
    }

    @Test
    void conditionsAreKeptAndNilReadyMeansReady() {
        Service svc = service("ns", "web", "10.96.0.10", port("http", 80, "TCP")).build();
        var r = translator.translate(svc, List.of(slice("ns", "s", "web", "http", 8080,
                endpoint("10.0.0.1", "n", null, null, null),
                endpoint("10.0.0.2", "n", false, true, true),
                endpoint("10.0.0.3", "n", false, false, true))));
        List<Endpoint> eps = r.services().values().iterator().next().endpoints();
        assertThat(eps).extracting(Endpoint::ready).containsExactly(true, false, false);
        assertThat(eps).extracting(Endpoint::serving).containsExactly(true, true, false);
        assertThat(eps).extracting(Endpoint::terminating).containsExactly(false, true, true);
    }

    @Test
    void headlessAndExternalNameAreSkipped() {
        Service headless = service("ns", "h", "None", port("http", 80, "TCP")).build();
        Service external = service("ns", "e", null, port("http", 80, "TCP")).editSpec().withType("ExternalName")
                .withExternalName("example.org").endSpec().build();
        assertThat(translator.translate(headless, List.of()).services()).isEmpty();
        assertThat(translator.translate(headless, List.of()).skipped()).contains("headless");
        assertThat(translator.translate(external, List.of()).services()).isEmpty();
        assertThat(translator.translate(external, List.of()).skipped()).contains("ExternalName");
    }

    @Test
    void clientIpAffinityBecomesAHint() {
        Service svc = service("ns", "web", "10.96.0.10", port("http", 80, "TCP")).editSpec()
                .withSessionAffinity("ClientIP").withNewSessionAffinityConfig().withNewClientIP()
                .withTimeoutSeconds(600).endClientIP().endSessionAffinityConfig().endSpec().build();
        ServicePolicy hints = translator.translate(svc, List.of()).services().values().iterator().next().hints();
        assertThat(hints.lb()).isEqualTo(LbPolicy.CLIENT_IP);
        assertThat(hints.affinityTimeout()).isEqualTo(Duration.ofSeconds(600));

        Service noConfig = service("ns", "web", "10.96.0.10", port("http", 80, "TCP")).editSpec()
                .withSessionAffinity("ClientIP").endSpec().build();
        assertThat(translator.translate(noConfig, List.of()).services().values().iterator().next().hints()
                .affinityTimeout()).isEqualTo(Duration.ofSeconds(10_800));
    }

    @Test
    void internalTrafficPolicyLocalKeepsThisNodesEndpoints() {
        Service svc = service("ns", "web", "10.96.0.10", port("http", 80, "TCP")).editSpec()
                .withInternalTrafficPolicy("Local").endSpec().build();
        var r = translator.translate(svc, List.of(slice("ns", "s", "web", "http", 8080,
                ready("10.0.0.1", "node-1"), ready("10.0.0.2", "node-2"), ready("10.0.0.3", null))));
        assertThat(r.services().values().iterator().next().endpoints()).extracting(Endpoint::hostPort)
                .containsExactly("10.0.0.1:8080");
    }

    @Test
    void dualStackGivesOneVirtualAddressPerFamilyAndEndpointsFromBothSlices() {
        Service svc = service("ns", "web", "10.96.0.10", port("http", 80, "TCP")).editSpec()
                .withClusterIPs("10.96.0.10", "fd00::10").withIpFamilies("IPv4", "IPv6").endSpec().build();
        var r = translator.translate(svc, List.of(
                slice("ns", "s4", "web", "http", 8080, "IPv4", List.of(ready("10.0.0.1", "n"))),
                slice("ns", "s6", "web", "http", 8080, "IPv6", List.of(ready("fd00::1", "n"))),
                slice("ns", "sf", "web", "http", 8080, "FQDN", List.of(ready("example.org", "n")))));
        ServiceDefinition d = r.services().values().iterator().next();
        assertThat(d.virtualAddresses()).containsExactly(new InetSocketAddress("10.96.0.10", 80),
                new InetSocketAddress("fd00::10", 80));
        assertThat(d.endpoints()).extracting(Endpoint::address).containsExactly(
                new InetSocketAddress("10.0.0.1", 8080), new InetSocketAddress("fd00::1", 8080));
    }

    @Test
    void annotationsBecomeHintsAndBadOnesAreReportedWithoutLosingTheService() {
        Service good = service("ns", "web", "10.96.0.10", port("http", 80, "TCP")).editMetadata()
                .addToAnnotations(KubernetesTranslator.LB_ANNOTATION, "least-connections")
                .addToAnnotations(KubernetesTranslator.HEALTH_ANNOTATION,
                        "{healthCheck: {type: http, path: /healthz}, panicThreshold: 30%}")
                .endMetadata().build();
        var r = translator.translate(good, List.of());
        ServicePolicy hints = r.services().values().iterator().next().hints();
        assertThat(r.badAnnotations()).isEmpty();
        assertThat(hints.lb()).isEqualTo(LbPolicy.LEAST_CONNECTIONS);
        assertThat(hints.health().check().type()).isEqualTo(HealthCheck.Type.HTTP);
        assertThat(hints.health().check().path()).isEqualTo("/healthz");
        assertThat(hints.health().panicThreshold()).isEqualTo(30);

        Service bad = service("ns", "web", "10.96.0.10", port("http", 80, "TCP")).editMetadata()
                .addToAnnotations(KubernetesTranslator.LB_ANNOTATION, "fastest")
                .addToAnnotations(KubernetesTranslator.HEALTH_ANNOTATION, "{healthCheck: {type: http, pth: /x}}")
                .endMetadata().build();
        var rb = translator.translate(bad, List.of(slice("ns", "s", "web", "http", 8080,
                ready("10.0.0.1", "n"))));
        assertThat(rb.services()).hasSize(1);
        ServiceDefinition d = rb.services().values().iterator().next();
        assertThat(d.hints()).isEqualTo(ServicePolicy.EMPTY);
        assertThat(d.endpoints()).hasSize(1);
        assertThat(rb.badAnnotations()).extracting(KubernetesTranslator.AnnotationProblem::annotation)
                .containsExactly(KubernetesTranslator.LB_ANNOTATION, KubernetesTranslator.HEALTH_ANNOTATION);
        assertThat(rb.badAnnotations().get(0).reason()).contains("fastest").contains("least-connections");
        assertThat(rb.badAnnotations().get(1).reason()).contains("healthCheck.pth").contains("did you mean 'path'");
    }

    @Test
    void notAnIpLiteralIsNeverLookedUp() {
        assertThat(KubernetesTranslator.ipLiteral("a.b.c.d")).isNull();
        assertThat(KubernetesTranslator.ipLiteral("example.org")).isNull();
        assertThat(KubernetesTranslator.ipLiteral("10.0.0.1")).isNotNull();
        assertThat(KubernetesTranslator.ipLiteral("fd00::1")).isNotNull();
    }
}
