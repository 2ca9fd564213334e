package io.junction.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.junction.agent.config.ConfigLoader;
import io.junction.agent.discovery.consul.FakeConsul;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.testing.TcpEchoServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real agent with a {@code discovery.consul} block watching a fake Consul registry: the config gives the listen
 * address, the registry the instances, and real TCP connections reach the echo backend the registry announces.
 */
class ConsulAgentTest {
    /** The metrics a {@code discovery.consul} block adds, as the docs name them. */
    static final Set<String> METRICS = Set.of("junction_consul_requests_total");
    /** The series it adds under the names every discovery source shares. */
    static final Set<String> SHARED_SERIES = Set.of("junction_discovery_instances{source=\"consul\"}",
            "junction_discovery_errors_total{source=\"consul\"}",
            "junction_discovery_last_sync_seconds{source=\"consul\"}");
    private static final String INSTANCES = "junction_discovery_instances{source=\"consul\"}";
    private static final String ERRORS = "junction_discovery_errors_total{source=\"consul\"}";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private FakeConsul consul = new FakeConsul();
    /** How long the registry is away in the outage test, as issue 16 asks. */
    private static final Duration OUTAGE = Duration.ofSeconds(30);

    private final TcpEchoServer echo = new TcpEchoServer();
    private final TcpEchoServer second = new TcpEchoServer();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private Agent agent;

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.shutdown();
        }
        consul.close();
        echo.close();
        second.close();
    }

    private Path config(int tcpPort, String admin) throws Exception {
        return Files.writeString(dir.resolve("junction.yaml"), """
                admin:
                  listen: %s
                discovery:
                  consul:
                    address: http://%s
                    wait: 30s
                services:
                  - {name: web, listen: 127.0.0.1:%d}
                """.formatted(admin, consul.address(), tcpPort));
    }

    private HttpResponse<String> get(int adminPort, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode consulStatus(int adminPort) throws Exception {
        for (JsonNode s : JSON.readTree(get(adminPort, "/api/status").body()).get("sources")) {
            if (s.get("name").asString().equals("consul")) {
                return s;
            }
        }
        throw new AssertionError("no consul source in /api/status");
    }

    @Test
    void anInstanceAnnouncedToTheRegistryIsReachedThroughTheListenerWithinASecond() throws Exception {
        int tcpPort = AgentFixture.freePort();
        agent = AgentFixture.start(config(tcpPort, "off"));
        assertThat(agent.controller().listening()).isTrue();
        // Let the watches settle into their blocking queries, so the announcement has to wake one.
        await().atMost(Duration.ofSeconds(5)).until(() -> consul.held() == 2);

        long t0 = System.nanoTime();
        consul.register("web", "web-1", "127.0.0.1", echo.address().getPort());
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
                .until(() -> "hello".equals(AgentFixture.echoOnce(tcpPort, "hello")));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("consul announcement to first echoed connection: " + ms + " ms");
        assertThat(ms).as("announcement to first echoed connection, ms").isLessThan(1000);
        assertThat(echo.accepted()).isPositive();
        for (int i = 0; i < 10; i++) {
            assertThat(AgentFixture.echoOnce(tcpPort, "m" + i)).isEqualTo("m" + i);
        }
        assertThat(AgentFixture.metric(agent, INSTANCES)).isEqualTo(1.0);
        assertThat(AgentFixture.metric(agent, ERRORS)).isZero();
        // The blocking queries are held open, so the view is current now, whenever the registry last changed.
        assertThat(AgentFixture.lastSyncMillis(agent, "consul")).isCloseTo(System.currentTimeMillis(), within(2_000L));

        // Deregistered: the endpoint leaves the service, and new connections no longer reach the backend.
        consul.deregister("web-1");
        await().atMost(Duration.ofSeconds(2)).until(() -> agent.controller().snapshot().services()
                .get(ServiceKey.of("web", Protocol.TCP)).endpoints().isEmpty());
        assertThat(AgentFixture.metric(agent, INSTANCES)).isZero();
        int accepted = echo.accepted();
        try {
            AgentFixture.echoOnce(tcpPort, "gone");
        } catch (java.io.IOException expected) {
            // Closed at once: no endpoint.
        }
        assertThat(echo.accepted()).isEqualTo(accepted);
    }

    @Test
    void anUnreachableRegistryKeepsTheAgentNotReadyAndOneLostFor30sKeepsServingAndConvergesAfter() throws Exception {
        int registryPort = consul.port();
        consul.close();
        int adminPort = AgentFixture.freePort();
        int tcpPort = AgentFixture.freePort();
        Path config = config(tcpPort, "127.0.0.1:" + adminPort);
        CompletableFuture<Agent> starting = CompletableFuture.supplyAsync(
                () -> Agent.start(config, new ConfigLoader().load(config), Duration.ofSeconds(2)));
        await().atMost(Duration.ofSeconds(5)).ignoreExceptions().untilAsserted(() -> {
            HttpResponse<String> r = get(adminPort, "/readyz");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).contains("waiting for sources [consul]");
        });
        agent = starting.get(10, TimeUnit.SECONDS);
        assertThat(agent.controller().listening()).isFalse();
        assertThat(consulStatus(adminPort).get("lastError").asString()).contains("ConnectException");
        String metrics = get(adminPort, "/metrics").body();
        assertThat(metrics).contains("junction_consul_requests_total{result=\"error\"}");
        for (String name : METRICS) {
            assertThat(metrics).contains(name);
        }
        for (String series : SHARED_SERIES) {
            assertThat(metrics).contains(series + " ");
        }
        assertThat(AgentFixture.lastSyncMillis(agent, "consul")).as("never read").isZero();
        assertThat(AgentFixture.metric(agent, ERRORS)).isPositive();

        consul = new FakeConsul(registryPort);
        consul.register("web", "web-1", "127.0.0.1", echo.address().getPort());
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() ->
                assertThat(get(adminPort, "/readyz").statusCode()).isEqualTo(200));
        assertThat(AgentFixture.echoOnce(tcpPort, "k")).isEqualTo("k");

        // The registry goes away for 30 s while connections flow: the status says so, the last known instance keeps
        // serving every connection, and an instance registered meanwhile shows once the registry is back.
        try (EchoTraffic traffic = new EchoTraffic(tcpPort, "consul-test-traffic")) {
            await().atMost(Duration.ofSeconds(5)).until(() -> traffic.ok() > 5);
            consul.stop();
            long outageEnds = System.nanoTime() + OUTAGE.toNanos();
            await().atMost(Duration.ofSeconds(5)).until(() -> !consulStatus(adminPort).get("lastError").isNull());
            assertThat(consulStatus(adminPort).get("lastError").asString())
                    .contains("consul http://" + consul.address());
            long frozen = AgentFixture.lastSyncMillis(agent, "consul");
            double errors = AgentFixture.metric(agent, ERRORS);
            assertThat(get(adminPort, "/readyz").statusCode()).isEqualTo(200);
            int before = traffic.ok();
            Thread.sleep(OUTAGE.toMillis() / 2);
            consul.register("web", "web-2", "127.0.0.1", second.address().getPort());
            Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(outageEnds - System.nanoTime())));
            assertThat(traffic.failed()).as("failed connections during the outage: " + traffic.firstFailure())
                    .isZero();
            assertThat(traffic.ok()).as("connections during the outage").isGreaterThan(before + 200);
            assertThat(second.accepted()).as("nothing seen while the registry was away").isZero();
            assertThat(AgentFixture.lastSyncMillis(agent, "consul")).as("not current while failing")
                    .isEqualTo(frozen);

            // Back (its retries back off to at most 30 s apart): the new instance arrives, the error clears.
            consul.restart();
            await().atMost(Duration.ofSeconds(40)).until(() -> agent.controller().snapshot().services()
                    .get(ServiceKey.of("web", Protocol.TCP)).endpoints().size() == 2);
            await().atMost(Duration.ofSeconds(5)).until(() -> consulStatus(adminPort).get("lastError").isNull());
            await().atMost(Duration.ofSeconds(5)).until(() -> second.accepted() > 0);
            assertThat(AgentFixture.metric(agent, ERRORS)).isGreaterThan(errors);
            assertThat(AgentFixture.lastSyncMillis(agent, "consul")).isCloseTo(System.currentTimeMillis(),
                    within(2_000L));
            assertThat(traffic.failed()).as("failed connections, outage and recovery: " + traffic.firstFailure())
                    .isZero();
        }
    }
}
