package io.junction.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.junction.agent.config.ConfigLoader;
import io.junction.agent.discovery.eureka.EurekaRegistrar;
import io.junction.agent.discovery.eureka.EurekaServerProcess;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.state.ServiceSnapshot;
import io.junction.core.testing.TcpEchoServer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real agent with a {@code discovery.eureka} block against a real Eureka server (Spring Cloud Netflix, its own
 * process), with instances registered by the real eureka-client (another process): the config gives the listen
 * address, Eureka the endpoints, and real TCP connections reach the echo backends the instances name. One scenario,
 * since the server's start is the expensive part: unreachable at start, first sync, a delta, OUT_OF_SERVICE, DOWN,
 * deregistration, and the server stopped for 30 s and started again while connections keep flowing.
 */
class EurekaAgentTest {
    private static final Duration SERVER_START = Duration.ofSeconds(120);
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** How long the registry is away, as issue 16 asks. */
    private static final Duration OUTAGE = Duration.ofSeconds(30);
    private static final ServiceKey WEB = ServiceKey.of("web", Protocol.TCP);
    /** The source's meters as docs/configuration.md names them. */
    static final List<String> SOURCE_METRICS = List.of("junction_discovery_last_sync_seconds",
            "junction_discovery_instances", "junction_discovery_errors_total", "junction_discovery_fetches_total");

    private final TcpEchoServer a = new TcpEchoServer();
    private final TcpEchoServer b = new TcpEchoServer();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private EurekaServerProcess eureka;
    private EurekaRegistrar registrar;
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
        if (eureka != null) {
            eureka.close();
        }
        a.close();
        b.close();
    }

    @Test
    void routesToInstancesEurekaListsFollowsTheirStatusAndKeepsServingThroughAnOutage() throws Exception {
        Path logs = Files.createDirectories(Path.of("target", "eureka-logs"));
        Path serverLog = logs.resolve("server.log");
        eureka = new EurekaServerProcess(AgentFixture.freePort(), serverLog);
        int adminPort = AgentFixture.freePort();
        int webPort = AgentFixture.freePort();
        Path config = Files.writeString(dir.resolve("junction.yaml"), """
                admin:
                  listen: 127.0.0.1:%d
                discovery:
                  eureka:
                    serviceUrl: %s
                    refreshInterval: 1s
                services:
                  - {name: web, listen: 127.0.0.1:%d}
                """.formatted(adminPort, eureka.serviceUrl(), webPort));

        // Nothing answers at the service URL yet: the agent runs, not ready, naming the source it waits for.
        CompletableFuture<Agent> starting = CompletableFuture.supplyAsync(
                () -> Agent.start(config, new ConfigLoader().load(config), Duration.ofSeconds(1)));
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> {
            HttpResponse<String> r = admin(adminPort, "/readyz");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).contains("waiting for sources [eureka]");
        });
        agent = starting.get(30, TimeUnit.SECONDS);
        assertThat(admin(adminPort, "/api/status").body()).contains("eureka: ");

        // The server comes up and an instance registers: the retried first fetch syncs the source and a is served.
        eureka.start().awaitServing(SERVER_START);
        registrar = new EurekaRegistrar(eureka.serviceUrl(), logs.resolve("registrar.log"));
        registrar.register("web-a", "WEB", a.address().getPort(), true, 8443, false);
        await().atMost(WAIT).ignoreExceptions().until(() -> admin(adminPort, "/readyz").statusCode() == 200);
        await().atMost(WAIT).until(() -> eligible().equals(List.of(a.address().getPort())));
        assertThat(AgentFixture.echoOnce(webPort, "hello")).isEqualTo("hello");
        assertThat(a.accepted()).isEqualTo(1);

        // A second instance, on its secure port only (the plain one disabled), arrives by a delta.
        registrar.register("web-b", "WEB", 9, false, b.address().getPort(), true);
        await().atMost(WAIT).until(() -> eligible().size() == 2);
        for (int i = 0; i < 10; i++) {
            assertThat(AgentFixture.echoOnce(webPort, "x" + i)).isEqualTo("x" + i);
        }
        assertThat(b.accepted()).isPositive();

        // An operator takes a out of service: known, not picked.
        registrar.override("web-a", "OUT_OF_SERVICE");
        await().atMost(WAIT).until(() -> eligible().equals(List.of(b.address().getPort())));
        assertThat(snapshot().endpoints()).hasSize(2);
        int aBefore = a.accepted();
        for (int i = 0; i < 5; i++) {
            assertThat(AgentFixture.echoOnce(webPort, "y")).isEqualTo("y");
        }
        assertThat(a.accepted()).isEqualTo(aBefore);

        // a back in service, b reports itself DOWN: only a is picked.
        registrar.override("web-a", "UP");
        registrar.status("web-b", "DOWN");
        await().atMost(WAIT).until(() -> eligible().equals(List.of(a.address().getPort())));
        int bBefore = b.accepted();
        for (int i = 0; i < 5; i++) {
            assertThat(AgentFixture.echoOnce(webPort, "z")).isEqualTo("z");
        }
        assertThat(b.accepted()).isEqualTo(bBefore);

        // b deregisters: gone from the service.
        registrar.deregister("web-b");
        await().atMost(WAIT).until(() -> snapshot().endpoints().size() == 1);

        // The server stops for 30 s while connections flow: the last state keeps serving them, and the status says
        // why.
        try (EchoTraffic traffic = new EchoTraffic(webPort, "eureka-test-traffic")) {
            eureka.stop();
            long outageEnds = System.nanoTime() + OUTAGE.toNanos();
            await().atMost(WAIT).until(() -> lastError() != null);
            assertThat(lastError()).startsWith("eureka: " + eureka.serviceUrl());
            assertThat(admin(adminPort, "/api/status").body()).contains(lastError());
            assertThat(admin(adminPort, "/readyz").statusCode()).isEqualTo(200);
            int during = traffic.ok();
            Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(outageEnds - System.nanoTime())));
            assertThat(traffic.failed()).as("failed connections during the outage: " + traffic.firstFailure())
                    .isZero();
            assertThat(traffic.ok()).as("connections during the outage").isGreaterThan(during + 200);
            assertThat(eligible()).as("the last known state").containsExactly(a.address().getPort());

            // Started again, empty: it refuses reads until its instances have registered again (see the test
            // server's properties), then the agent converges on what it lists, a new instance included.
            eureka.start().awaitServing(SERVER_START);
            registrar.register("web-b2", "WEB", b.address().getPort(), true, 443, false);
            await().atMost(WAIT).until(() -> eligible().size() == 2);
            await().atMost(WAIT).until(() -> lastError() == null);
            assertThat(traffic.failed()).as("failed connections, outage and recovery: " + traffic.firstFailure())
                    .isZero();
        }
        String metrics = admin(adminPort, "/metrics").body();
        assertThat(metrics).contains("junction_discovery_instances{source=\"eureka\"} 2.0")
                .contains("junction_discovery_fetches_total{kind=\"delta\",source=\"eureka\"}")
                .doesNotContain("junction_discovery_errors_total{source=\"eureka\"} 0.0");
        for (String name : SOURCE_METRICS) {
            assertThat(metrics).contains(name + "{");
        }
    }

    /** The error {@code /api/status} shows for the source, null when there is none. */
    private String lastError() {
        return agent.controller().sourceStatus().get("eureka").lastError();
    }

    private ServiceSnapshot snapshot() {
        return agent.controller().snapshot().services().get(WEB);
    }

    /** The ports of the endpoints new connections may go to. */
    private List<Integer> eligible() {
        ServiceSnapshot s = snapshot();
        return s == null ? List.of() : s.eligible().stream().map(e -> e.address().getPort()).sorted().toList();
    }

    private HttpResponse<String> admin(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
