package io.junction.agent.discovery.kubernetes;

import io.junction.agent.discovery.RecordingListener;
import static io.junction.agent.discovery.kubernetes.K8sObjects.endpoint;
import static io.junction.agent.discovery.kubernetes.K8sObjects.port;
import static io.junction.agent.discovery.kubernetes.K8sObjects.ready;
import static io.junction.agent.discovery.kubernetes.K8sObjects.service;
import static io.junction.agent.discovery.kubernetes.K8sObjects.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.junction.core.model.Endpoint;
import io.junction.core.model.LbPolicy;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The source against Fabric8's mock API server in CRUD mode: what the listener receives as objects change. */
class KubernetesSourceTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ServiceKey WEB = new ServiceKey("shop", "web", "http", Protocol.TCP);
    private static final ServiceKey API = new ServiceKey("shop", "api", "grpc", Protocol.TCP);

    private final MockApi api = new MockApi();
    private final NamespacedKubernetesClient client = api.client();
    private final RecordingListener listener = new RecordingListener();
    private KubernetesSource source;

    @AfterEach
    void stop() {
        if (source != null) {
            source.close();
        }
        client.close();
        api.close();
    }

    private void startSource(String namespace, String nodeName) {
        source = new KubernetesSource(api.client(), true, namespace, null, nodeName, new SimpleMeterRegistry(),
                Clock.systemUTC());
        source.start(listener);
    }

    private static List<String> hostPorts(RecordingListener l, ServiceKey key) {
        var d = l.state.get(key);
        return d == null ? null : d.endpoints().stream().map(Endpoint::hostPort).toList();
    }

    @Test
    void theFirstHandOverHoldsWhatExistedAndLaterChangesTouchOnlyTheirService() {
        client.services().resource(service("shop", "web", "10.96.0.10", port("http", 80, "TCP")).build()).create();
        client.services().resource(service("shop", "api", "10.96.0.11", port("grpc", 9090, "TCP")).build()).create();
        client.discovery().v1().endpointSlices().resource(slice("shop", "web-1", "web", "http", 8080,
                ready("10.0.0.1", "n1"))).create();
        startSource(null, "n1");
        await().atMost(WAIT).until(() -> listener.replaced);
        assertThat(source.synced()).isTrue();
        assertThat(listener.calls.get(0)).startsWith("replace");
        assertThat(hostPorts(listener, WEB)).containsExactly("10.0.0.1:8080");
        assertThat(hostPorts(listener, API)).isEmpty();

        // A second slice of web, with another target port: both slices count, only web changes.
        client.discovery().v1().endpointSlices().resource(slice("shop", "web-2", "web", "http", 8081,
                ready("10.0.0.2", "n2"))).create();
        await().atMost(WAIT).until(() -> hostPorts(listener, WEB).size() == 2);
        assertThat(hostPorts(listener, WEB)).containsExactly("10.0.0.1:8080", "10.0.0.2:8081");
        assertThat(listener.changesOf("api")).isZero();

        // A port renamed on the Service: the old key goes, the new one has no matching slice port.
        client.services().resource(service("shop", "web", "10.96.0.10", port("web", 80, "TCP")).build()).update();
        ServiceKey renamed = new ServiceKey("shop", "web", "web", Protocol.TCP);
        await().atMost(WAIT).until(() -> listener.state.containsKey(renamed) && !listener.state.containsKey(WEB));
        assertThat(hostPorts(listener, renamed)).isEmpty();

        client.services().inNamespace("shop").withName("web").delete();
        await().atMost(WAIT).until(() -> !listener.state.containsKey(renamed));
        client.discovery().v1().endpointSlices().inNamespace("shop").withName("web-1").delete();
        assertThat(listener.state).containsOnlyKeys(API);
    }

    @Test
    void removingASliceRemovesItsEndpointsAndTerminatingOnesAreDeliveredWithTheirConditions() {
        client.services().resource(service("shop", "web", "10.96.0.10", port("http", 80, "TCP")).build()).create();
        client.discovery().v1().endpointSlices().resource(slice("shop", "web-1", "web", "http", 8080,
                ready("10.0.0.1", "n1"))).create();
        client.discovery().v1().endpointSlices().resource(slice("shop", "web-2", "web", "http", 8080,
                endpoint("10.0.0.2", "n1", false, true, true))).create();
        startSource("shop", "n1");
        await().atMost(WAIT).until(() -> listener.replaced && hostPorts(listener, WEB).size() == 2);
        Endpoint terminating = listener.state.get(WEB).endpoints().get(1);
        assertThat(terminating.ready()).isFalse();
        assertThat(terminating.serving()).isTrue();
        assertThat(terminating.terminating()).isTrue();

        client.discovery().v1().endpointSlices().inNamespace("shop").withName("web-1").delete();
        await().atMost(WAIT).until(() -> hostPorts(listener, WEB).equals(List.of("10.0.0.2:8080")));
    }

    @Test
    void headlessServicesAreIgnoredAndAffinityAndLocalPolicyApply() {
        client.services().resource(service("shop", "db", "None", port("pg", 5432, "TCP")).build()).create();
        client.services().resource(service("shop", "web", "10.96.0.10", port("http", 80, "TCP")).editSpec()
                .withSessionAffinity("ClientIP").withInternalTrafficPolicy("Local").endSpec().build()).create();
        client.discovery().v1().endpointSlices().resource(slice("shop", "web-1", "web", "http", 8080,
                ready("10.0.0.1", "n1"), ready("10.0.0.2", "n2"))).create();
        client.discovery().v1().endpointSlices().resource(slice("shop", "db-1", "db", "pg", 5432,
                ready("10.0.0.9", "n1"))).create();
        startSource(null, "n2");
        await().atMost(WAIT).until(() -> listener.replaced);
        assertThat(listener.state).containsOnlyKeys(WEB);
        assertThat(hostPorts(listener, WEB)).containsExactly("10.0.0.2:8080");
        assertThat(listener.state.get(WEB).hints().lb()).isEqualTo(LbPolicy.CLIENT_IP);
    }

    @Test
    void anInvalidAnnotationIsAWarningEventOnTheServiceAndTheServiceStillWorks() {
        client.services().resource(service("shop", "web", "10.96.0.10", port("http", 80, "TCP")).editMetadata()
                .addToAnnotations(KubernetesTranslator.LB_ANNOTATION, "fastest").endMetadata().build()).create();
        client.discovery().v1().endpointSlices().resource(slice("shop", "web-1", "web", "http", 8080,
                ready("10.0.0.1", "n1"))).create();
        startSource(null, "n1");
        await().atMost(WAIT).until(() -> listener.replaced);
        assertThat(hostPorts(listener, WEB)).containsExactly("10.0.0.1:8080");
        assertThat(listener.state.get(WEB).hints().lb()).isNull();
        await().atMost(WAIT).until(() -> !client.v1().events().inNamespace("shop").list().getItems().isEmpty());
        Event e = client.v1().events().inNamespace("shop").list().getItems().get(0);
        assertThat(e.getType()).isEqualTo("Warning");
        assertThat(e.getReason()).isEqualTo("InvalidAnnotation");
        assertThat(e.getInvolvedObject().getKind()).isEqualTo("Service");
        assertThat(e.getInvolvedObject().getName()).isEqualTo("web");
        assertThat(e.getMessage()).contains("junction.io/lb").contains("fastest");

        // Another change of the Service with the same bad value: no second Event.
        client.services().resource(service("shop", "web", "10.96.0.10", port("http", 80, "TCP")).editMetadata()
                .addToAnnotations(KubernetesTranslator.LB_ANNOTATION, "fastest").addToLabels("v", "2").endMetadata()
                .build()).update();
        client.discovery().v1().endpointSlices().resource(slice("shop", "web-1", "web", "http", 8080,
                ready("10.0.0.1", "n1"), ready("10.0.0.3", "n1"))).update();
        await().atMost(WAIT).until(() -> hostPorts(listener, WEB).size() == 2);
        assertThat(client.v1().events().inNamespace("shop").list().getItems()).hasSize(1);
    }

    @Test
    void notSyncedWhileTheApiServerIsDownThenSyncedWhenItComesUp() throws Exception {
        client.services().resource(service("shop", "web", "10.96.0.10", port("http", 80, "TCP")).build()).create();
        api.stop();
        startSource(null, "n1");
        Thread.sleep(1500);
        assertThat(source.synced()).isFalse();
        assertThat(listener.replaced).isFalse();
        api.restart();
        await().atMost(Duration.ofSeconds(30)).until(() -> listener.replaced);
        assertThat(listener.state).containsOnlyKeys(WEB);
    }
}
