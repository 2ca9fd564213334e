package io.junction.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.junction.agent.config.ConfigLoader;
import io.junction.agent.discovery.nacos.FakeNacos;
import io.junction.agent.discovery.nacos.FakeNacos.Instance;
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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real agent with a {@code discovery.nacos} block against a fake Nacos server on loopback: the config's
 * {@code services[]} entry gives the listen address, Nacos the endpoints, and real TCP connections reach the echo
 * backends the registry announces.
 */
class NacosAgentTest {
    private static final ServiceKey WEB = ServiceKey.of("web", Protocol.TCP);
    /** pollInterval 500ms plus a second. */
    private static final Duration WITHIN = Duration.ofMillis(1500);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final FakeNacos nacos = FakeNacos.allVersions();
    private final TcpEchoServer a = new TcpEchoServer();
    private final TcpEchoServer b = new TcpEchoServer();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private Agent agent;

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.shutdown();
        }
        nacos.close();
        a.close();
        b.close();
    }

    private Path config(int listenPort, int adminPort) throws Exception {
        return Files.writeString(dir.resolve("junction.yaml"), """
                admin:
                  listen: 127.0.0.1:%d
                discovery:
                  nacos:
                    serverAddr: %s
                    services: [WebApp, other]
                    rename: {WebApp: web}
                    pollInterval: 500ms
                services:
                  - {name: web, listen: 127.0.0.1:%d}
                """.formatted(adminPort, nacos.address(), listenPort));
    }

    private static Instance at(TcpEchoServer s) {
        return Instance.of("127.0.0.1", s.address().getPort());
    }

    private HttpResponse<String> get(int adminPort, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode nacosStatus(int adminPort) throws Exception {
        for (JsonNode s : JSON.readTree(get(adminPort, "/api/status").body()).get("sources")) {
            if (s.get("name").asString().equals("nacos")) {
                return s;
            }
        }
        throw new AssertionError("no nacos source in /api/status");
    }

    @Test
    void registeredInstancesTakeConnectionsLeavePickingWhenUnhealthyAndGoWhenRemoved() throws Exception {
        nacos.set("WebApp", at(a));
        int port = AgentFixture.freePort();
        int admin = AgentFixture.freePort();
        agent = AgentFixture.start(config(port, admin));
        assertThat(AgentFixture.echoOnce(port, "hello")).isEqualTo("hello");
        assertThat(a.accepted()).isEqualTo(1);
        // A registry service no services[] entry gives a listen address is known here but unserved.
        nacos.set("other", at(b));
        await().atMost(WITHIN).until(() -> agent.controller().snapshot().unserved()
                .containsKey(ServiceKey.of("other", Protocol.TCP)));

        nacos.set("WebApp", at(a), at(b));
        await().atMost(WITHIN).until(() -> agent.controller().snapshot().services().get(WEB).endpoints().size() == 2);
        for (int i = 0; i < 10; i++) {
            assertThat(AgentFixture.echoOnce(port, "x" + i)).isEqualTo("x" + i);
        }
        assertThat(b.accepted()).isPositive();

        // a turns unhealthy in Nacos: it leaves picking, b takes every new connection.
        nacos.set("WebApp", at(a).healthy(false), at(b));
        await().atMost(WITHIN).until(() -> agent.controller().snapshot().services().get(WEB).endpoints().stream()
                .anyMatch(e -> !e.endpoint().ready()));
        int aBefore = a.accepted();
        for (int i = 0; i < 10; i++) {
            assertThat(AgentFixture.echoOnce(port, "y")).isEqualTo("y");
        }
        assertThat(a.accepted()).isEqualTo(aBefore);

        // b is removed, a disabled: nothing is left to pick, and a comes back once enabled and healthy.
        nacos.set("WebApp", at(a).enabled(false));
        await().atMost(WITHIN).until(() -> agent.controller().snapshot().services().get(WEB).endpoints().size() == 1);
        nacos.set("WebApp", at(a));
        await().atMost(WITHIN).until(() -> agent.controller().snapshot().services().get(WEB).endpoints().get(0)
                .endpoint().ready());
        assertThat(AgentFixture.echoOnce(port, "z")).isEqualTo("z");
        assertThat(get(admin, "/metrics").body())
                .contains("junction_discovery_instances{source=\"nacos\"} 2.0")
                .contains("junction_discovery_last_sync_seconds{source=\"nacos\"} ")
                .contains("junction_discovery_errors_total{source=\"nacos\"} 0.0");
    }

    @Test
    void losingTheRegistryKeepsTrafficFlowingSaysSoInTheStatusAndConvergesAfter() throws Exception {
        nacos.set("WebApp", at(a));
        int port = AgentFixture.freePort();
        int admin = AgentFixture.freePort();
        agent = AgentFixture.start(config(port, admin));
        nacos.down();
        await().atMost(WITHIN).untilAsserted(() -> assertThat(nacosStatus(admin).get("lastError").asString(""))
                .contains("nacos unreachable, serving the last known state"));
        // 30 s without the registry, traffic flowing over the last known state: no connection fails (bounded: at most
        // 120 connections, one every 250 ms).
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int sent = 0;
        while (sent < 120 && System.nanoTime() < until) {
            assertThat(AgentFixture.echoOnce(port, "during " + sent)).isEqualTo("during " + sent);
            sent++;
            Thread.sleep(250);
        }
        assertThat(a.accepted()).isEqualTo(sent);
        assertThat(get(admin, "/readyz").statusCode()).isEqualTo(200);
        // Meanwhile b registered; once the registry is back it shows within a poll, and the error is cleared.
        nacos.set("WebApp", at(a), at(b));
        nacos.up();
        await().atMost(WITHIN.plusSeconds(1)).until(() ->
                agent.controller().snapshot().services().get(WEB).endpoints().size() == 2);
        await().atMost(WITHIN).untilAsserted(() -> assertThat(nacosStatus(admin).get("lastError").isNull()).isTrue());
    }

    @Test
    void anUnreachableRegistryAtStartKeepsTheAgentUpAndNotReadyNamingNacos() throws Exception {
        nacos.set("WebApp", at(a));
        nacos.down();
        int port = AgentFixture.freePort();
        int admin = AgentFixture.freePort();
        Path config = config(port, admin);
        CompletableFuture<Agent> starting = CompletableFuture.supplyAsync(
                () -> Agent.start(config, new ConfigLoader().load(config), Duration.ofSeconds(2)));
        await().atMost(Duration.ofSeconds(3)).ignoreExceptions().untilAsserted(() -> {
            HttpResponse<String> r = get(admin, "/readyz");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).contains("waiting for sources [nacos]");
        });
        agent = starting.get(10, TimeUnit.SECONDS);
        assertThat(agent.controller().listening()).isFalse();
        nacos.up();
        await().atMost(Duration.ofSeconds(5)).ignoreExceptions().untilAsserted(() ->
                assertThat(get(admin, "/readyz").statusCode()).isEqualTo(200));
        assertThat(AgentFixture.echoOnce(port, "late")).isEqualTo("late");
        assertThat(List.of(a.accepted())).containsExactly(1);
    }
}
