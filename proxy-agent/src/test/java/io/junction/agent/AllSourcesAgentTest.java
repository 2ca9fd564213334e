package io.junction.agent;

import static io.junction.agent.discovery.kubernetes.K8sObjects.port;
import static io.junction.agent.discovery.kubernetes.K8sObjects.ready;
import static io.junction.agent.discovery.kubernetes.K8sObjects.service;
import static io.junction.agent.discovery.kubernetes.K8sObjects.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.junction.agent.discovery.consul.FakeConsul;
import io.junction.agent.discovery.eureka.EurekaRegistrar;
import io.junction.agent.discovery.eureka.EurekaServerProcess;
import io.junction.agent.discovery.kubernetes.MockApi;
import io.junction.agent.discovery.nacos.FakeNacos;
import io.junction.agent.discovery.zookeeper.Registrar;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.state.ServiceSnapshot;
import io.junction.core.testing.TcpEchoServer;
import org.apache.curator.test.TestingServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One agent with every discovery source on at once, each against the fixture its own agent test uses: Kubernetes
 * (the CRUD mock API), the local registry (the agent's own Consul-compatible API), Consul (the fake registry),
 * ZooKeeper (curator-test's server and Curator's service discovery), Eureka (the real server and eureka-client,
 * started once) and Nacos (the fake server). Each source announces a service of its own, reached through its
 * listener at its own echo backend, and every registry source also announces {@code shared}, whose listener reaches
 * one backend per source.
 *
 * <p>What "shared" means for Kubernetes: registry sources deliver {@code default/NAME/tcp} (no port name), while a
 * Kubernetes Service port is {@code namespace/name:portName/protocol}, so a Kubernetes Service {@code default/shared}
 * is the different service port {@code default/shared:http/tcp}, with a listener of its own, and never merges with
 * the registries' {@code shared}. The local registry is the exception, by its documented routing rule: an instance of
 * registry service {@code N} is an endpoint of every service the config names {@code N} in namespace
 * {@code default}, whatever its port name, so its {@code shared} instance is on both listeners.
 */
class AllSourcesAgentTest {
    private static final Duration SERVER_START = Duration.ofSeconds(120);
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<String> SOURCES = List.of("consul", "eureka", "kubernetes", "nacos", "registry",
            "zookeeper");
    private static final ServiceKey SHARED = ServiceKey.of("shared", Protocol.TCP);
    private static final ServiceKey K8S_SHARED = new ServiceKey("default", "shared", "http", Protocol.TCP);

    /** Each source's own service's backend, by source. */
    private final Map<String, TcpEchoServer> own = new TreeMap<>();
    /** Each source's backend for {@code shared}, by source; Kubernetes' is on {@code default/shared:http}. */
    private final Map<String, TcpEchoServer> shared = new TreeMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final MockApi api = new MockApi();
    private final NamespacedKubernetesClient kube = api.client();
    private final FakeConsul consul = new FakeConsul();
    private final FakeNacos nacos = FakeNacos.allVersions();
    private TestingServer zk;
    private Registrar zkRegistrar;
    private EurekaServerProcess eureka;
    private EurekaRegistrar eurekaRegistrar;
    private Agent agent;

    @TempDir
    Path dir;

    AllSourcesAgentTest() {
        for (String source : SOURCES) {
            own.put(source, new TcpEchoServer());
            shared.put(source, new TcpEchoServer());
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (agent != null) {
            agent.shutdown();
        }
        if (eurekaRegistrar != null) {
            eurekaRegistrar.close();
        }
        if (eureka != null) {
            eureka.close();
        }
        if (zkRegistrar != null) {
            zkRegistrar.close();
        }
        if (zk != null) {
            zk.close();
        }
        nacos.close();
        consul.close();
        kube.close();
        api.close();
        own.values().forEach(TcpEchoServer::close);
        shared.values().forEach(TcpEchoServer::close);
    }

    private int backend(Map<String, TcpEchoServer> backends, String source) {
        return backends.get(source).address().getPort();
    }

    @Test
    void everySourceServesItsOwnServiceAndTheSharedOneIsTheUnionWithConflictsReported() throws Exception {
        // The Eureka server's start is the slow part: it boots while the other registries are filled.
        Path logs = Files.createDirectories(Path.of("target", "eureka-logs"));
        eureka = new EurekaServerProcess(AgentFixture.freePort(), logs.resolve("all-sources-server.log")).start();

        kube.services().resource(service("shop", "k8s-web", "10.96.0.10", port("http", 80, "TCP")).build()).create();
        kube.discovery().v1().endpointSlices().resource(slice("shop", "k8s-web-a", "k8s-web", "http",
                backend(own, "kubernetes"), ready("127.0.0.1", "n1"))).create();
        kube.services().resource(service("default", "shared", "10.96.0.11", port("http", 80, "TCP")).build())
                .create();
        kube.discovery().v1().endpointSlices().resource(slice("default", "shared-a", "shared", "http",
                backend(shared, "kubernetes"), ready("127.0.0.1", "n1"))).create();
        consul.register("consul-web", "consul-web-1", "127.0.0.1", backend(own, "consul"));
        consul.register("shared", "consul-shared-1", "127.0.0.1", backend(shared, "consul"));
        zk = new TestingServer();
        zkRegistrar = new Registrar(zk.getConnectString(), "/services");
        zkRegistrar.register("zk-web", "zk-web-1", backend(own, "zookeeper"));
        zkRegistrar.register("shared", "zk-shared-1", backend(shared, "zookeeper"));
        nacos.set("nacos-web", FakeNacos.Instance.of("127.0.0.1", backend(own, "nacos")));
        nacos.set("shared", FakeNacos.Instance.of("127.0.0.1", backend(shared, "nacos")));

        eureka.awaitServing(SERVER_START);
        eurekaRegistrar = new EurekaRegistrar(eureka.serviceUrl(), logs.resolve("all-sources-registrar.log"));
        eurekaRegistrar.register("eureka-web-1", "EUREKA-WEB", backend(own, "eureka"), true, 8443, false);
        eurekaRegistrar.register("eureka-shared-1", "SHARED", backend(shared, "eureka"), true, 8443, false);

        Map<String, Integer> listen = new TreeMap<>();
        for (String s : List.of("k8s-web", "reg-web", "consul-web", "zk-web", "eureka-web", "nacos-web", "shared",
                "k8s-shared")) {
            listen.put(s, AgentFixture.freePort());
        }
        int adminPort = AgentFixture.freePort();
        int registryPort = AgentFixture.freePort();
        Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), api.kubeconfig());
        Path config = Files.writeString(dir.resolve("junction.yaml"), """
                admin:
                  listen: 127.0.0.1:%d
                discovery:
                  kubernetes:
                    kubeconfig: %s
                    nodeName: n1
                  registry:
                    listen: 127.0.0.1:%d
                    stateFile: %s
                    allowLoopback: true
                  consul:
                    address: http://%s
                    wait: 30s
                  zookeeper:
                    connect: %s
                    sessionTimeout: 6s
                    connectionTimeout: 2s
                  eureka:
                    serviceUrl: %s
                    refreshInterval: 1s
                  nacos:
                    serverAddr: %s
                    services: [nacos-web, shared]
                    pollInterval: 500ms
                services:
                  - {name: k8s-web, namespace: shop, port: http, listen: 127.0.0.1:%d}
                  - {name: shared, namespace: default, port: http, listen: 127.0.0.1:%d}
                  - {name: reg-web, listen: 127.0.0.1:%d}
                  - {name: consul-web, listen: 127.0.0.1:%d}
                  - {name: zk-web, listen: 127.0.0.1:%d}
                  - {name: eureka-web, listen: 127.0.0.1:%d}
                  - {name: nacos-web, listen: 127.0.0.1:%d}
                  - {name: shared, listen: 127.0.0.1:%d}
                """.formatted(adminPort, kubeconfig, registryPort, dir.resolve("registry.json"), consul.address(),
                zk.getConnectString(), eureka.serviceUrl(), nacos.address(), listen.get("k8s-web"),
                listen.get("k8s-shared"), listen.get("reg-web"), listen.get("consul-web"), listen.get("zk-web"),
                listen.get("eureka-web"), listen.get("nacos-web"), listen.get("shared")));
        agent = AgentFixture.start(config);

        // The local registry is the agent itself: its instances are announced once it runs.
        register(registryPort, "reg-web-1", "reg-web", backend(own, "registry"));
        register(registryPort, "reg-shared-1", "shared", backend(shared, "registry"));

        // Every source synced, as /api/status says.
        await().atMost(WAIT).untilAsserted(() -> {
            Map<String, Boolean> synced = new TreeMap<>();
            for (JsonNode s : status(adminPort).get("sources")) {
                synced.put(s.get("name").asString(), s.get("synced").asBoolean());
            }
            // The config file is a source too (its services[] entries), named file:PATH.
            assertThat(synced).containsKeys(SOURCES.toArray(String[]::new)).hasSize(SOURCES.size() + 1)
                    .doesNotContainValue(false);
        });

        // Each source's own service: its listener reaches its backend, and only it.
        Map<String, String> ownService = Map.of("kubernetes", "k8s-web", "registry", "reg-web", "consul",
                "consul-web", "zookeeper", "zk-web", "eureka", "eureka-web", "nacos", "nacos-web");
        await().atMost(WAIT).until(() -> ownService.values().stream()
                .allMatch(s -> readyPorts(key(s)).size() == 1));
        for (var e : ownService.entrySet()) {
            int listenPort = listen.get(e.getValue());
            for (int i = 0; i < 3; i++) {
                assertThat(AgentFixture.echoOnce(listenPort, e.getKey() + i)).isEqualTo(e.getKey() + i);
            }
            assertThat(own.get(e.getKey()).accepted()).as(e.getValue() + " reached its backend").isEqualTo(3);
        }

        // shared: the union, one backend per registry source, each reached.
        List<String> registries = List.of("consul", "eureka", "nacos", "registry", "zookeeper");
        Set<Integer> union = registries.stream().map(s -> backend(shared, s)).collect(Collectors.toSet());
        await().atMost(WAIT).until(() -> readyPorts(SHARED).equals(union));
        int rounds = 25;
        for (int i = 0; i < rounds; i++) {
            assertThat(AgentFixture.echoOnce(listen.get("shared"), "s" + i)).isEqualTo("s" + i);
        }
        Map<String, Integer> reached = new TreeMap<>();
        registries.forEach(s -> reached.put(s, shared.get(s).accepted()));
        assertThat(reached.values()).as("connections per source's shared backend: " + reached)
                .allMatch(n -> n > 0);
        assertThat(reached.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(rounds);

        // Kubernetes' default/shared:http is a service port of its own; the local registry's instance joins it too.
        assertThat(readyPorts(K8S_SHARED)).containsExactlyInAnyOrder(backend(shared, "kubernetes"),
                backend(shared, "registry"));
        int registryBefore = shared.get("registry").accepted();
        for (int i = 0; i < 10; i++) {
            assertThat(AgentFixture.echoOnce(listen.get("k8s-shared"), "k" + i)).isEqualTo("k" + i);
        }
        assertThat(shared.get("kubernetes").accepted()).isPositive();
        assertThat(shared.get("kubernetes").accepted() + shared.get("registry").accepted() - registryBefore)
                .isEqualTo(10);
        assertThat(conflicts(adminPort)).isEmpty();

        // ZooKeeper's instance of shared turns UDP: the same service with another protocol is reported, neither
        // side dropped: the TCP service keeps the other four, and ZooKeeper's UDP one is known (unserved here). The
        // config file's services[] entry defines shared over TCP too, so it is one of the sides.
        zkRegistrar.register(Registrar.instance("shared", "zk-shared-1", backend(shared, "zookeeper"), "udp", true));
        Map<String, List<String>> sides = new TreeMap<>();
        List.of("consul", "eureka", "nacos", "registry", "file:" + config).forEach(s -> sides.put(s, List.of("tcp")));
        sides.put("zookeeper", List.of("udp"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(conflicts(adminPort))
                .containsExactly(Map.of("default/shared", sides)));
        assertThat(readyPorts(SHARED)).isEqualTo(union.stream().filter(p -> p != backend(shared, "zookeeper"))
                .collect(Collectors.toSet()));
        // The conflict is reported when the sources' views are merged, the snapshot is published just after.
        await().atMost(WAIT).untilAsserted(() -> assertThat(agent.controller().snapshot().unserved())
                .containsKey(ServiceKey.of("shared", Protocol.UDP)));
        assertThat(AgentFixture.echoOnce(listen.get("shared"), "during")).isEqualTo("during");

        // Back to TCP: the conflict goes, and the union is whole again.
        zkRegistrar.register(Registrar.instance("shared", "zk-shared-1", backend(shared, "zookeeper"), null, true));
        await().atMost(WAIT).untilAsserted(() -> assertThat(conflicts(adminPort)).isEmpty());
        await().atMost(WAIT).until(() -> readyPorts(SHARED).equals(union));
    }

    private static ServiceKey key(String name) {
        return name.equals("k8s-web") ? new ServiceKey("shop", "k8s-web", "http", Protocol.TCP)
                : ServiceKey.of(name, Protocol.TCP);
    }

    /** The ports of the endpoints new connections to {@code key} may go to. */
    private Set<Integer> readyPorts(ServiceKey key) {
        ServiceSnapshot s = agent.controller().snapshot().services().get(key);
        return s == null ? Set.of() : s.eligible().stream().map(e -> e.address().getPort())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** Registers an instance with the agent's own registry, as a service process would. */
    private void register(int registryPort, String id, String name, int backendPort) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + registryPort
                        + "/v1/agent/service/register")).timeout(Duration.ofSeconds(5))
                .PUT(HttpRequest.BodyPublishers.ofString("""
                        {"ID": "%s", "Name": "%s", "Address": "127.0.0.1", "Port": %d}"""
                        .formatted(id, name, backendPort))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private JsonNode status(int adminPort) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort
                + "/api/status")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    /** {@code /api/status}'s protocolConflicts: service to protocols by source. */
    private List<Map<String, Map<String, List<String>>>> conflicts(int adminPort) throws Exception {
        List<Map<String, Map<String, List<String>>>> out = new ArrayList<>();
        for (JsonNode c : status(adminPort).get("protocolConflicts")) {
            Map<String, List<String>> bySource = new LinkedHashMap<>();
            for (var e : c.get("protocolsBySource").properties()) {
                List<String> protocols = new ArrayList<>();
                e.getValue().forEach(p -> protocols.add(p.asString()));
                bySource.put(e.getKey(), protocols);
            }
            out.add(Map.of(c.get("service").asString(), bySource));
        }
        return out;
    }
}
