package io.junction.agent;

import static io.junction.agent.discovery.kubernetes.K8sObjects.endpoint;
import static io.junction.agent.discovery.kubernetes.K8sObjects.port;
import static io.junction.agent.discovery.kubernetes.K8sObjects.ready;
import static io.junction.agent.discovery.kubernetes.K8sObjects.service;
import static io.junction.agent.discovery.kubernetes.K8sObjects.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.junction.agent.config.ConfigLoader;
import io.junction.agent.discovery.OutageRelay;
import io.junction.agent.discovery.kubernetes.KubernetesSource;
import io.junction.agent.discovery.kubernetes.MockApi;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.testing.TcpEchoServer;
import io.junction.core.testing.UdpEchoServer;
import io.junction.core.testing.UdpTestClient;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A real agent with a {@code discovery.kubernetes} block against the CRUD mock API server: the config gives the
 * listen addresses, Kubernetes the endpoints, and real TCP and UDP traffic reaches the backends the slices name.
 */
class KubernetesAgentTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ServiceKey WEB = new ServiceKey("shop", "web", "http", Protocol.TCP);
    private static final String INSTANCES = "junction_discovery_instances{source=\"kubernetes\"}";
    private static final String ERRORS = "junction_discovery_errors_total{source=\"kubernetes\"}";

    private final MockApi api = new MockApi();
    private final NamespacedKubernetesClient client = api.client();
    private final TcpEchoServer a = new TcpEchoServer();
    private final TcpEchoServer b = new TcpEchoServer();
    private final UdpEchoServer u = UdpEchoServer.tagged(7);
    private Agent agent;

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.shutdown();
        }
        client.close();
        api.close();
        a.close();
        b.close();
        u.close();
    }

    private Path config(int tcpPort, int udpPort) throws Exception {
        return config(tcpPort, udpPort, "off");
    }

    private Path config(int tcpPort, int udpPort, String admin) throws Exception {
        return config(tcpPort, udpPort, admin, api.kubeconfig());
    }

    private Path config(int tcpPort, int udpPort, String admin, String kubeconfigText) throws Exception {
        Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), kubeconfigText);
        return Files.writeString(dir.resolve("junction.yaml"), """
                admin:
                  listen: %s
                discovery:
                  kubernetes:
                    kubeconfig: %s
                    nodeName: n1
                services:
                  - {name: web, namespace: shop, port: http, listen: 127.0.0.1:%d}
                  - {name: web, namespace: shop, port: udp-dns, protocol: udp, listen: 127.0.0.1:%d}
                """.formatted(admin, kubeconfig, tcpPort, udpPort));
    }

    private static EndpointSlice sliceOf(String name, int port, io.fabric8.kubernetes.api.model.discovery.v1.Endpoint e) {
        return slice("shop", name, "web", "http", port, e);
    }

    private void createWeb() {
        client.services().resource(service("shop", "web", "10.96.0.10", port("http", 80, "TCP"),
                port("udp-dns", 53, "UDP")).build()).create();
    }

    @Test
    void tcpAndUdpReachTheBackendsTheSlicesNameAndTerminatingOnesAreTheLastResort() throws Exception {
        createWeb();
        client.discovery().v1().endpointSlices().resource(sliceOf("web-a", a.address().getPort(),
                ready("127.0.0.1", "n1"))).create();
        client.discovery().v1().endpointSlices().resource(sliceOf("web-b", b.address().getPort(),
                ready("127.0.0.1", "n2"))).create();
        client.discovery().v1().endpointSlices().resource(slice("shop", "web-u", "web", "udp-dns", u.port(),
                ready("127.0.0.1", "n1"))).create();
        int tcpPort = AgentFixture.freePort();
        int udpPort = AgentFixture.freePort();
        agent = AgentFixture.start(config(tcpPort, udpPort));

        // A Service no services[] entry gives a listen address is known but unserved here (until node mode).
        client.services().resource(service("shop", "other", "10.96.0.12", port("http", 80, "TCP")).build()).create();
        ServiceKey other = new ServiceKey("shop", "other", "http", Protocol.TCP);
        await().atMost(WAIT).until(() -> agent.controller().snapshot().unserved().containsKey(other));

        // Named port mapping over two slices with two target ports: both backends get connections.
        for (int i = 0; i < 20; i++) {
            assertThat(AgentFixture.echoOnce(tcpPort, "hello " + i)).isEqualTo("hello " + i);
        }
        assertThat(a.accepted()).isPositive();
        assertThat(b.accepted()).isPositive();

        try (UdpTestClient udp = new UdpTestClient(new InetSocketAddress("127.0.0.1", udpPort))) {
            byte[] reply = udp.request("q".getBytes(StandardCharsets.UTF_8), Duration.ofMillis(500), 6);
            assertThat(reply).isNotNull();
            assertThat(UdpEchoServer.tagOf(reply)).isEqualTo(7);
        }

        // a terminates (still serving): new connections go to b only.
        client.discovery().v1().endpointSlices().resource(sliceOf("web-a", a.address().getPort(),
                endpoint("127.0.0.1", "n1", false, true, true))).update();
        await().atMost(WAIT).until(() -> agent.controller().snapshot().services().get(WEB).endpoints().stream()
                .anyMatch(e -> e.endpoint().terminating()));
        int aBefore = a.accepted();
        for (int i = 0; i < 10; i++) {
            assertThat(AgentFixture.echoOnce(tcpPort, "x")).isEqualTo("x");
        }
        assertThat(a.accepted()).isEqualTo(aBefore);

        // b goes away: the serving, terminating a is the last resort rather than no endpoint at all.
        client.discovery().v1().endpointSlices().inNamespace("shop").withName("web-b").delete();
        await().atMost(WAIT).until(() -> agent.controller().snapshot().services().get(WEB).endpoints().size() == 1);
        for (int i = 0; i < 5; i++) {
            assertThat(AgentFixture.echoOnce(tcpPort, "y")).isEqualTo("y");
        }
        assertThat(a.accepted()).isEqualTo(aBefore + 5);
    }

    @Test
    void clientIpAffinityFromTheServiceKeepsAClientOnOneBackend() throws Exception {
        client.services().resource(service("shop", "web", "10.96.0.10", port("http", 80, "TCP"),
                port("udp-dns", 53, "UDP")).editSpec().withSessionAffinity("ClientIP").endSpec().build()).create();
        client.discovery().v1().endpointSlices().resource(sliceOf("web-a", a.address().getPort(),
                ready("127.0.0.1", "n1"))).create();
        client.discovery().v1().endpointSlices().resource(sliceOf("web-b", b.address().getPort(),
                ready("127.0.0.1", "n1"))).create();
        int tcpPort = AgentFixture.freePort();
        agent = AgentFixture.start(config(tcpPort, AgentFixture.freePort()));
        for (int i = 0; i < 20; i++) {
            assertThat(AgentFixture.echoOnce(tcpPort, "z")).isEqualTo("z");
        }
        assertThat(List.of(a.accepted(), b.accepted())).containsExactlyInAnyOrder(0, 20);
    }

    @Test
    void anUnreachableApiServerAtStartKeepsTheAgentUpAndNotReadyUntilItAnswers() throws Exception {
        createWeb();
        client.discovery().v1().endpointSlices().resource(sliceOf("web-a", a.address().getPort(),
                ready("127.0.0.1", "n1"))).create();
        int adminPort = AgentFixture.freePort();
        int tcpPort = AgentFixture.freePort();
        Path config = config(tcpPort, AgentFixture.freePort(), "127.0.0.1:" + adminPort);
        api.stop();
        CompletableFuture<Agent> starting = CompletableFuture.supplyAsync(
                () -> Agent.start(config, new ConfigLoader().load(config), Duration.ofSeconds(2)));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest readyz = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/readyz")).build();
        await().atMost(Duration.ofSeconds(3)).ignoreExceptions().untilAsserted(() -> {
            HttpResponse<String> r = http.send(readyz, HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).contains("waiting for sources").contains("kubernetes");
        });
        // The start gives up waiting, not running: the agent stays up, still not ready, and nothing listens yet.
        agent = starting.get(10, TimeUnit.SECONDS);
        assertThat(http.send(readyz, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(503);
        assertThat(agent.controller().listening()).isFalse();
        api.restart();
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() ->
                assertThat(http.send(readyz, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200));
        assertThat(AgentFixture.echoOnce(tcpPort, "k")).isEqualTo("k");
    }

    @Test
    void losingTheApiServerFor30sKeepsServingAndChangesMadeMeanwhileConvergeAfterItReturns() throws Exception {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        Logger sourceLog = (Logger) LoggerFactory.getLogger(KubernetesSource.class.getPackageName());
        logs.start();
        sourceLog.addAppender(logs);
        createWeb();
        client.discovery().v1().endpointSlices().resource(sliceOf("web-a", a.address().getPort(),
                ready("127.0.0.1", "n1"))).create();
        int tcpPort = AgentFixture.freePort();
        // The agent reaches the API server through a link the test cuts: the server keeps running and takes changes.
        OutageRelay link = new OutageRelay(api.port());
        agent = AgentFixture.start(config(tcpPort, AgentFixture.freePort(), "off", MockApi.kubeconfig(link.port())));
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread traffic = new Thread(() -> {
            while (running.get()) {
                try {
                    if ("t".equals(AgentFixture.echoOnce(tcpPort, "t"))) {
                        ok.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                    }
                    Thread.sleep(20);
                } catch (Exception e) {
                    failed.incrementAndGet();
                }
            }
        }, "k8s-test-traffic");
        try {
            traffic.start();
            await().atMost(WAIT).until(() -> ok.get() > 5);
            assertThat(AgentFixture.metric(agent, INSTANCES)).isEqualTo(1.0);
            assertThat(AgentFixture.metric(agent, ERRORS)).isZero();
            // The informers watch: while they do, the view is current now, however long ago the last change was.
            assertThat(AgentFixture.lastSyncMillis(agent, "kubernetes")).isCloseTo(System.currentTimeMillis(),
                    within(2_000L));
            link.cut();
            await().atMost(WAIT).until(() -> messages(logs).stream().anyMatch(m -> m.contains("api_server=lost")));
            long frozen = AgentFixture.lastSyncMillis(agent, "kubernetes");
            int before = ok.get();
            // A change while the agent cannot see the API server: a second slice, made halfway through the outage.
            Thread.sleep(15_000);
            client.discovery().v1().endpointSlices().resource(sliceOf("web-b", b.address().getPort(),
                    ready("127.0.0.1", "n1"))).create();
            Thread.sleep(15_000);
            assertThat(ok.get()).as("connections during the 30 s outage").isGreaterThan(before + 100);
            assertThat(agent.controller().snapshot().services().get(WEB).endpoints())
                    .as("nothing dropped, nothing seen while the API server was away").hasSize(1);
            assertThat(AgentFixture.lastSyncMillis(agent, "kubernetes")).as("not current while lost").isEqualTo(frozen);
            assertThat(AgentFixture.metric(agent, ERRORS)).isGreaterThanOrEqualTo(1.0);

            link.restore();
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    agent.controller().snapshot().services().get(WEB).endpoints().size() == 2);
            await().atMost(Duration.ofSeconds(10)).until(() -> b.accepted() > 0);
            await().atMost(WAIT).until(() -> messages(logs).stream().anyMatch(m -> m.contains("api_server=recovered")));
            assertThat(AgentFixture.metric(agent, INSTANCES)).isEqualTo(2.0);
            assertThat(AgentFixture.lastSyncMillis(agent, "kubernetes")).isCloseTo(System.currentTimeMillis(),
                    within(2_000L));
        } finally {
            running.set(false);
            traffic.join(10_000);
            sourceLog.detachAppender(logs);
            link.close();
        }
        assertThat(failed.get()).as("failed connections").isZero();
        assertThat(messages(logs).stream().filter(m -> m.contains("api_server=lost"))).hasSize(1);
        assertThat(messages(logs).stream().filter(m -> m.contains("api_server=recovered"))).hasSize(1);
    }

    private static List<String> messages(ListAppender<ILoggingEvent> logs) {
        synchronized (logs) {
            return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }
}
