package io.junction.agent.registry;

import java.util.concurrent.atomic.AtomicInteger;

import java.net.InetAddress;

import com.sun.net.httpserver.HttpServer;

import io.junction.agent.Agent;
import io.junction.core.testing.TcpEchoServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.junction.agent.registry.RegistryFixture.eligible;
import static io.junction.agent.registry.RegistryFixture.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The registry's life around its checks and its file: a corrupt state file is moved aside and the agent starts
 * empty; TCP and HTTP checks follow a backend going away or failing, and DeregisterCriticalServiceAfter removes it; {@code warning} is
 * not passing; {@code /api/registry}, the metrics and a held blocking query read what happened.
 */
class RegistryLifecycleTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final TcpEchoServer echo = new TcpEchoServer();
    private Agent agent;

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.shutdown();
        }
        echo.close();
    }

    @Test
    void aCorruptStateFileIsMovedAsideAndTheAgentStartsEmpty() throws Exception {
        Path state = dir.resolve("registry.json");
        Files.writeString(state, "{\"Version\": 1, \"Index\": 7, \"Services\": [{\"Name\": ", StandardCharsets.UTF_8);
        int port = RegistryFixture.freePort();
        agent = RegistryFixture.start(dir, RegistryFixture.config(RegistryFixture.freePort(), port, 0, state, ""));

        assertThat(agent.controller().readiness().ready()).isTrue();
        assertThat(get(port, "/v1/agent/services").body()).isEqualTo("{}");
        try (Stream<Path> files = Files.list(dir)) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertThat(names).anyMatch(n -> n.startsWith("registry.json.corrupt-"));
            assertThat(names).doesNotContain("registry.json");
        }
        // The registry works, and its next write replaces the corrupt file with a good one.
        assertThat(put(port, "/v1/agent/service/register",
                "{\"Name\": \"web\", \"Address\": \"127.0.0.1\", \"Port\": 1}").statusCode())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(3)).until(() -> Files.exists(state));
        JsonNode saved = JSON.readTree(Files.readAllBytes(state));
        assertThat(saved.get("Services").get(0).get("Name").asString()).isEqualTo("web");
    }

    @Test
    void tcpChecksWarningDeregistrationAdminViewAndMetrics() throws Exception {
        int port = RegistryFixture.freePort();
        int admin = RegistryFixture.freePort();
        int backendPort;
        ServerSocket doomed = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        backendPort = doomed.getLocalPort();
        agent = RegistryFixture.start(dir, RegistryFixture.config(RegistryFixture.freePort(), port, admin,
                dir.resolve("registry.json"), ""));

        // A TCP check against a listening socket passes; the instance is routed.
        assertThat(put(port, "/v1/agent/service/register", """
                {"ID": "db-1", "Name": "web", "Address": "127.0.0.1", "Port": %d,
                 "Check": {"TCP": "127.0.0.1:%d", "Interval": "1s", "Timeout": "500ms",
                           "DeregisterCriticalServiceAfter": "2s"}}""".formatted(backendPort, backendPort))
                .statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(4)).until(() -> eligible(agent) == 1);

        // A blocking query on the service parks, and wakes when the backend dies and the check turns critical.
        String index = get(port, "/v1/health/service/web").headers().firstValue("X-Consul-Index").orElseThrow();
        CompletableFuture<java.net.http.HttpResponse<String>> woken = CompletableFuture.supplyAsync(() -> {
            try {
                return get(port, "/v1/health/service/web?passing&index=" + index + "&wait=20s");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(2)).until(() -> gauge("junction.registry.blocking.queries") == 1);
        doomed.close();
        var answer = woken.get(6, TimeUnit.SECONDS);
        assertThat(Long.parseLong(answer.headers().firstValue("X-Consul-Index").orElseThrow()))
                .isGreaterThan(Long.parseLong(index));
        assertThat(answer.body()).isEqualTo("[]");
        assertThat(gauge("junction.registry.blocking.queries")).isZero();
        await().atMost(Duration.ofSeconds(2)).until(() -> eligible(agent) == 0);

        // The admin view shows the instance and its critical check.
        JsonNode view = JSON.readTree(get(admin, "/api/registry").body());
        assertThat(view.get("listen").asString()).isEqualTo("127.0.0.1:" + port);
        JsonNode inst = view.get("instances").get(0);
        assertThat(inst.get("id").asString()).isEqualTo("db-1");
        assertThat(inst.get("service").asString()).isEqualTo("web");
        assertThat(inst.get("address").asString()).isEqualTo("127.0.0.1");
        assertThat(inst.get("port").asInt()).isEqualTo(backendPort);
        JsonNode check = inst.get("checks").get(0);
        assertThat(check.get("id").asString()).isEqualTo("service:db-1");
        assertThat(check.get("type").asString()).isEqualTo("tcp");
        assertThat(check.get("status").asString()).isEqualTo("critical");
        assertThat(check.get("output").asString()).startsWith("TCP connect 127.0.0.1:" + backendPort + ": ");
        assertThat(gauge("junction.registry.checks", "status", "critical")).isEqualTo(1);
        assertThat(gauge("junction.registry.registrations")).isEqualTo(1);
        String metrics = get(admin, "/metrics").body();
        assertThat(metrics).contains("junction_registry_registrations ").contains("junction_registry_checks{")
                .contains("junction_registry_blocking_queries ").contains("junction_registry_requests_refused_total{");

        // Critical for DeregisterCriticalServiceAfter (2 s): the instance is removed.
        await().atMost(Duration.ofSeconds(5)).until(() -> get(port, "/v1/agent/services").body().equals("{}"));
        assertThat(gauge("junction.registry.registrations")).isZero();

        // A TTL check at warning is registered but not passing: not in ?passing, not routed.
        assertThat(put(port, "/v1/agent/service/register", """
                {"ID": "web-w", "Name": "web", "Address": "127.0.0.1", "Port": %d,
                 "Check": {"TTL": "30s"}}""".formatted(echo.address().getPort())).statusCode()).isEqualTo(200);
        assertThat(put(port, "/v1/agent/check/warn/service:web-w?note=slow", "").statusCode()).isEqualTo(200);
        assertThat(get(port, "/v1/health/service/web?passing").body()).isEqualTo("[]");
        assertThat(get(port, "/v1/health/service/web").body()).contains("\"Status\":\"warning\"")
                .contains("\"Output\":\"slow\"");
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> eligible(agent) == 0);
        assertThat(put(port, "/v1/agent/check/update/service:web-w", "{\"Status\": \"passing\", \"Output\": \"fine\"}")
                .statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(2)).until(() -> eligible(agent) == 1);
        InetSocketAddress backend = echo.address();
        assertThat(get(port, "/v1/catalog/service/web").body()).contains("\"ServicePort\":" + backend.getPort());
        assertThat(get(port, "/v1/catalog/services").body()).isEqualTo("{\"web\":[]}");
        assertThat(get(port, "/v1/status/leader").body()).isEqualTo("\"127.0.0.1:" + port + "\"");
    }

    @Test
    void anHttpCheckFollowsTheStatusItsEndpointAnswers() throws Exception {
        int port = RegistryFixture.freePort();
        AtomicInteger status = new AtomicInteger(200);
        HttpServer health = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        health.createContext("/healthz", exchange -> {
            exchange.sendResponseHeaders(status.get(), -1);
            exchange.close();
        });
        health.start();
        try {
            agent = RegistryFixture.start(dir, RegistryFixture.config(RegistryFixture.freePort(), port, 0,
                    dir.resolve("registry.json"), ""));
            var registered = put(port, "/v1/agent/service/register", """
                    {"ID": "web-h", "Name": "web", "Address": "127.0.0.1", "Port": %d,
                     "Check": {"HTTP": "http://127.0.0.1:%d/healthz", "Interval": "1s", "Timeout": "1s"}}"""
                    .formatted(echo.address().getPort(), health.getAddress().getPort()));
            assertThat(registered.statusCode()).as(registered.body()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(6)).until(() -> eligible(agent) == 1);
            assertThat(get(port, "/v1/agent/checks").body()).contains("\"Type\":\"http\"")
                    .contains("\"Status\":\"passing\"");

            status.set(500);
            await().atMost(Duration.ofSeconds(6)).until(() -> eligible(agent) == 0);
            assertThat(get(port, "/v1/agent/checks").body()).contains("\"Status\":\"critical\"")
                    .contains("500");

            status.set(200);
            await().atMost(Duration.ofSeconds(6)).until(() -> eligible(agent) == 1);
        } finally {
            health.stop(0);
        }
    }

    @Test
    void theAdminRouteIsNotFoundWhenTheRegistryIsOff() throws Exception {
        int admin = RegistryFixture.freePort();
        Path file = dir.resolve("junction.yaml");
        Files.writeString(file, """
                admin:
                  listen: 127.0.0.1:%d
                services: []
                """.formatted(admin));
        agent = Agent.start(file, new io.junction.agent.config.ConfigLoader().load(file), Duration.ofSeconds(10));
        assertThat(get(admin, "/api/registry").statusCode()).isEqualTo(404);
    }

    private double gauge(String name, String... tags) {
        var g = agent.registry().find(name).tags(tags).gauge();
        return g == null ? -1 : g.value();
    }

    private static java.net.http.HttpResponse<String> put(int port, String path, String body) throws Exception {
        return RegistryFixture.put(port, path, body);
    }
}
