package io.junction.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.junction.agent.config.ConfigLoader;
import io.junction.agent.discovery.zookeeper.Registrar;
import io.junction.agent.discovery.zookeeper.ZooKeeperSource;
import io.junction.core.model.Endpoint;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.state.ServiceSnapshot;
import io.junction.core.state.SourceStatus;
import io.junction.core.testing.TcpEchoServer;
import io.junction.core.testing.UdpEchoServer;
import io.junction.core.testing.UdpTestClient;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.curator.test.TestingServer;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real agent with a {@code discovery.zookeeper} block against a real ZooKeeper server (curator-test), services
 * registering the way Java services do (Curator's ServiceDiscovery): the config gives the listen address, the
 * registry the endpoints, and real TCP and UDP traffic reaches the registered backends.
 */
class ZooKeeperAgentTest {
    static final Duration WAIT = Duration.ofSeconds(15);
    static final ServiceKey WEB = ServiceKey.of("web", Protocol.TCP);
    static final ServiceKey DNS = ServiceKey.of("dns", Protocol.UDP);
    /** How long the registry is away in the outage test, as issue 16 asks. */
    static final Duration OUTAGE = Duration.ofSeconds(30);

    private final TcpEchoServer a = new TcpEchoServer();
    private final TcpEchoServer b = new TcpEchoServer();
    private final TcpEchoServer c = new TcpEchoServer();
    private final UdpEchoServer u = UdpEchoServer.tagged(9);
    private TestingServer zk;
    private Registrar registrar;
    private Agent agent;

    @TempDir
    Path dir;

    @AfterEach
    void stop() throws Exception {
        if (agent != null) {
            agent.shutdown();
        }
        if (registrar != null) {
            registrar.close();
        }
        if (zk != null) {
            zk.close();
        }
        a.close();
        b.close();
        c.close();
        u.close();
    }

    static Path config(Path dir, String connect, String admin, String extra, int tcpPort, int udpPort)
            throws Exception {
        return Files.writeString(dir.resolve("junction.yaml"), """
                admin:
                  listen: %s
                discovery:
                  zookeeper:
                    connect: %s
                    sessionTimeout: 6s
                    connectionTimeout: 2s
                %s
                services:
                  - {name: web, listen: 127.0.0.1:%d}
                  - {name: dns, protocol: udp, listen: 127.0.0.1:%d}
                """.formatted(admin, connect, extra.indent(4).stripTrailing(), tcpPort, udpPort));
    }

    static Set<Integer> ports(Agent agent, ServiceKey key) {
        ServiceSnapshot s = agent.controller().snapshot().services().get(key);
        return s == null ? Set.of() : s.endpointList().stream().map(e -> e.address().getPort())
                .collect(Collectors.toSet());
    }

    static List<Endpoint> endpoints(Agent agent, ServiceKey key) {
        ServiceSnapshot s = agent.controller().snapshot().services().get(key);
        return s == null ? List.of() : s.endpointList();
    }

    @Test
    void registeredInstancesTakeTrafficAndLeaveWhenUnregisteredDisabledOrTheirSessionEnds() throws Exception {
        zk = new TestingServer();
        registrar = new Registrar(zk.getConnectString(), "/services");
        registrar.register("web", "a", a.address().getPort());
        registrar.register(Registrar.instance("dns", "u", u.port(), "udp", true));
        int tcpPort = AgentFixture.freePort();
        int udpPort = AgentFixture.freePort();
        agent = AgentFixture.start(config(dir, zk.getConnectString(), "off", "", tcpPort, udpPort));

        for (int i = 0; i < 5; i++) {
            assertThat(AgentFixture.echoOnce(tcpPort, "hello " + i)).isEqualTo("hello " + i);
        }
        assertThat(a.accepted()).isEqualTo(5);
        // UDP because the instance's payload says so: the datagram comes back from the tagged backend.
        try (UdpTestClient udp = new UdpTestClient(new InetSocketAddress("127.0.0.1", udpPort))) {
            byte[] reply = udp.request("q".getBytes(StandardCharsets.UTF_8), Duration.ofMillis(500), 6);
            assertThat(reply).isNotNull();
            assertThat(UdpEchoServer.tagOf(reply)).isEqualTo(9);
        }

        // A registry service no services[] entry gives a listen address is known but unserved here.
        registrar.register("lonely", "1", c.address().getPort());
        await().atMost(WAIT).until(() -> agent.controller().snapshot().unserved()
                .containsKey(ServiceKey.of("lonely", Protocol.TCP)));
        registrar.unregister("lonely", "1");

        // A second instance appears and takes its share.
        registrar.register("web", "b", b.address().getPort());
        await().atMost(WAIT).until(() -> ports(agent, WEB).size() == 2);
        for (int i = 0; i < 20; i++) {
            assertThat(AgentFixture.echoOnce(tcpPort, "x")).isEqualTo("x");
        }
        assertThat(b.accepted()).isPositive();

        // enabled: false keeps the endpoint but not ready: no new connection reaches it.
        registrar.register(Registrar.instance("web", "b", b.address().getPort(), null, false));
        await().atMost(WAIT).until(() -> endpoints(agent, WEB).stream().anyMatch(e -> !e.ready()));
        int bBefore = b.accepted();
        for (int i = 0; i < 10; i++) {
            assertThat(AgentFixture.echoOnce(tcpPort, "y")).isEqualTo("y");
        }
        assertThat(b.accepted()).isEqualTo(bBefore);

        // Unregistering removes it.
        registrar.unregister("web", "b");
        await().atMost(WAIT).until(() -> ports(agent, WEB).equals(Set.of(a.address().getPort())));

        // Another service process registers c, then dies: its session ends, the ephemeral znode and the endpoint go.
        Registrar other = new Registrar(zk.getConnectString(), "/services");
        other.register("web", "c", c.address().getPort());
        await().atMost(WAIT).until(() -> ports(agent, WEB).size() == 2);
        other.endSession();
        await().atMost(WAIT).until(() -> ports(agent, WEB).equals(Set.of(a.address().getPort())));
        int aBefore = a.accepted();
        for (int i = 0; i < 5; i++) {
            assertThat(AgentFixture.echoOnce(tcpPort, "z")).isEqualTo("z");
        }
        assertThat(a.accepted()).isEqualTo(aBefore + 5);

        // The source's metrics, every one the docs name among them.
        String metrics = agent.registry().scrape();
        assertThat(metrics).contains("junction_zookeeper_connected 1.0")
                .contains("junction_discovery_instances{source=\"zookeeper\"} 2.0")
                .contains("junction_zookeeper_connection_losses_total 0.0")
                .contains("junction_discovery_errors_total{source=\"zookeeper\"} 0.0");
        // Connected, the watch keeps the view current: the last sync is now, not the last change.
        assertThat(AgentFixture.lastSyncMillis(agent, "zookeeper")).isCloseTo(System.currentTimeMillis(),
                within(2_000L));
        Matcher documented = Pattern.compile("\\bjunction_zookeeper_[a-z0-9_]*[a-z0-9]").matcher(
                Files.readString(AgentFixture.repositoryRoot().resolve("docs/configuration.md")));
        Set<String> names = new TreeSet<>();
        while (documented.find()) {
            names.add(documented.group());
        }
        assertThat(names).hasSize(3);
        names.forEach(n -> assertThat(metrics).as("exported").containsPattern("(?m)^" + n + "[ {]"));
    }

    @Test
    void renameMapsARegistryNameAndTheServicesListFiltersTheRest() throws Exception {
        zk = new TestingServer();
        registrar = new Registrar(zk.getConnectString(), "/apps");
        registrar.register("Orders-V1", "1", a.address().getPort());
        registrar.register("dns", "ignored", b.address().getPort());
        int tcpPort = AgentFixture.freePort();
        agent = AgentFixture.start(config(dir, zk.getConnectString(), "off", """
                basePath: /apps
                services: [Orders-V1]
                rename: {Orders-V1: web}
                """, tcpPort, AgentFixture.freePort()));
        assertThat(AgentFixture.echoOnce(tcpPort, "o")).isEqualTo("o");
        assertThat(a.accepted()).isEqualTo(1);
        // "dns" is registered but not in services: no source defines it, so its entry has no endpoints.
        assertThat(ports(agent, DNS)).isEmpty();
        assertThat(ports(agent, ServiceKey.of("dns", Protocol.TCP))).isEmpty();
        // An instance of a watched service registered later still appears.
        registrar.register("Orders-V1", "2", c.address().getPort());
        await().atMost(WAIT).until(() -> ports(agent, WEB).size() == 2);
    }

    @Test
    void anUnreachableZooKeeperAtStartKeepsTheAgentUpAndNotReadyUntilItAnswers() throws Exception {
        int zkPort = InstanceSpec.getRandomPort();
        zk = new TestingServer(zkPort, false);
        int adminPort = AgentFixture.freePort();
        int tcpPort = AgentFixture.freePort();
        Path config = config(dir, "127.0.0.1:" + zkPort, "127.0.0.1:" + adminPort, "", tcpPort,
                AgentFixture.freePort());
        CompletableFuture<Agent> starting = CompletableFuture.supplyAsync(
                () -> Agent.start(config, new ConfigLoader().load(config), Duration.ofSeconds(2)));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest readyz = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/readyz")).build();
        await().atMost(Duration.ofSeconds(5)).ignoreExceptions().untilAsserted(() -> {
            HttpResponse<String> r = http.send(readyz, HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).contains("waiting for sources [zookeeper]");
        });
        agent = starting.get(10, TimeUnit.SECONDS);
        assertThat(agent.controller().listening()).isFalse();
        // Past the connection timeout the status says why.
        await().atMost(WAIT).until(() -> status(agent).lastError() != null);
        assertThat(status(agent).lastError()).contains("unreachable").contains("127.0.0.1:" + zkPort);

        zk.start();
        registrar = new Registrar(zk.getConnectString(), "/services");
        registrar.register("web", "a", a.address().getPort());
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                assertThat(http.send(readyz, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200));
        await().atMost(WAIT).until(() -> ports(agent, WEB).size() == 1);
        assertThat(AgentFixture.echoOnce(tcpPort, "k")).isEqualTo("k");
        assertThat(status(agent).synced()).isTrue();
    }

    @Test
    void losingTheLeaderTheAgentTalksToFor30sKeepsServingAndChangesMadeMeanwhileConvergeWhenItReturns() throws Exception {
        try (TestingCluster cluster = new TestingCluster(3)) {
            cluster.start();
            InstanceSpec leader = await().atMost(WAIT).ignoreExceptions().until(() -> leaderOf(cluster),
                    Objects::nonNull);
            // The agent knows only the leader; the services register through the two followers.
            String followers = cluster.getInstances().stream().filter(i -> !i.equals(leader))
                    .map(ZooKeeperAgentTest::address).collect(Collectors.joining(","));
            registrar = new Registrar(followers, "/services");
            registrar.register("web", "a", a.address().getPort());
            int tcpPort = AgentFixture.freePort();
            agent = AgentFixture.start(config(dir, address(leader), "off", "", tcpPort,
                    AgentFixture.freePort()));
            try (EchoTraffic traffic = new EchoTraffic(tcpPort, "zk-test-traffic")) {
                await().atMost(WAIT).until(() -> traffic.ok() > 5);
                cluster.killServer(leader);
                long outageEnds = System.nanoTime() + OUTAGE.toNanos();
                await().atMost(WAIT).until(() -> status(agent).lastError() != null);
                assertThat(status(agent).lastError()).contains("serving the last known state");
                long frozen = AgentFixture.lastSyncMillis(agent, "zookeeper");
                int before = traffic.ok();
                // Meanwhile, through the quorum left: b registers, a unregisters.
                registrar.register("web", "b", b.address().getPort());
                registrar.unregister("web", "a");
                // 30 s without the server, well past the session timeout (6 s): the agent's session is gone too, and
                // still nothing is removed.
                Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(outageEnds - System.nanoTime())));
                assertThat(traffic.failed()).as("failed connections during the outage: " + traffic.firstFailure())
                        .isZero();
                assertThat(traffic.ok()).as("connections during the outage").isGreaterThan(before + 200);
                assertThat(ports(agent, WEB)).as("the last known state, nothing seen while away")
                        .containsExactly(a.address().getPort());
                // The view has not been current since the loss: the last sync stays where it was, and it counted.
                assertThat(AgentFixture.lastSyncMillis(agent, "zookeeper")).isEqualTo(frozen)
                        .isLessThan(System.currentTimeMillis() - 25_000);
                assertThat(AgentFixture.metric(agent, "junction_discovery_errors_total{source=\"zookeeper\"}"))
                        .isGreaterThanOrEqualTo(1.0);

                assertThat(cluster.restartServer(leader)).isTrue();
                await().atMost(Duration.ofSeconds(60)).until(() ->
                        ports(agent, WEB).equals(Set.of(b.address().getPort())));
                await().atMost(WAIT).until(() -> status(agent).lastError() == null);
                assertThat(AgentFixture.lastSyncMillis(agent, "zookeeper")).isCloseTo(System.currentTimeMillis(),
                        within(2_000L));
                int bBefore = b.accepted();
                await().atMost(WAIT).until(() -> b.accepted() > bBefore + 5);
                assertThat(traffic.failed()).as("failed connections, outage and recovery: " + traffic.firstFailure())
                        .isZero();
            }
        }
    }

    static String address(InstanceSpec spec) {
        return "127.0.0.1:" + spec.getPort();
    }

    /** The cluster member that says {@code Mode: leader} to ZooKeeper's {@code srvr} command, or null. */
    static InstanceSpec leaderOf(TestingCluster cluster) throws Exception {
        for (InstanceSpec spec : cluster.getInstances()) {
            try (Socket s = new Socket("127.0.0.1", spec.getPort())) {
                s.setSoTimeout(2000);
                s.getOutputStream().write("srvr".getBytes(StandardCharsets.US_ASCII));
                String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                if (answer.contains("Mode: leader")) {
                    return spec;
                }
            }
        }
        return null;
    }

    static SourceStatus status(Agent agent) {
        return agent.controller().sourceStatus().get(ZooKeeperSource.NAME);
    }
}
