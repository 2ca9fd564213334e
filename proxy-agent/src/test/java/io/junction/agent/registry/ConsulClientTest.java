package io.junction.agent.registry;

import com.google.common.net.HostAndPort;
import io.junction.agent.Agent;
import io.junction.core.testing.TcpEchoServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kiwiproject.consul.AgentClient;
import org.kiwiproject.consul.Consul;
import org.kiwiproject.consul.HealthClient;
import org.kiwiproject.consul.model.ConsulResponse;
import org.kiwiproject.consul.model.agent.ImmutableRegistration;
import org.kiwiproject.consul.model.agent.Registration;
import org.kiwiproject.consul.model.health.HealthCheck;
import org.kiwiproject.consul.model.health.ServiceHealth;
import org.kiwiproject.consul.option.QueryOptions;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.junction.agent.registry.RegistryFixture.eligible;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The registry through a real, unmodified Consul client (kiwiproject consul-client) against a running agent: the
 * client registers, Junction routes to what it registered, TTL checks pass and expire, blocking queries wake on a
 * change, deregistration removes the endpoint, and registrations survive a restart.
 */
class ConsulClientTest {
    private final TcpEchoServer echo = new TcpEchoServer();
    private Agent agent;
    private Consul consul;

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        if (consul != null) {
            consul.destroy();
        }
        if (agent != null) {
            agent.shutdown();
        }
        echo.close();
    }

    private Consul client(int port) {
        return Consul.builder().withHostAndPort(HostAndPort.fromParts("127.0.0.1", port))
                .withReadTimeoutMillis(60_000).build();
    }

    @Test
    void registerRouteTtlBlockingDeregisterAndRestart() throws Exception {
        int webPort = RegistryFixture.freePort();
        int registryPort = RegistryFixture.freePort();
        Path state = dir.resolve("state/registry.json");
        String yaml = RegistryFixture.config(webPort, registryPort, 0, state, "");
        agent = RegistryFixture.start(dir, yaml);
        consul = client(registryPort); // the builder pings /v1/agent/self
        AgentClient agentClient = consul.agentClient();
        HealthClient health = consul.healthClient();

        // Register with a TTL check: critical until the first pass, so not routed yet.
        Registration reg = ImmutableRegistration.builder().id("web-1").name("web").address("127.0.0.1")
                .port(echo.address().getPort()).addTags("v1").putMeta("team", "edge")
                .addChecks(Registration.RegCheck.ttl(2)).build();
        agentClient.register(reg);
        assertThat(agentClient.getServices()).containsKey("web-1");
        assertThat(agentClient.getChecks().get("service:web-1").getStatus()).isEqualTo("critical");
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> eligible(agent) == 0);

        // A blocking query on the service's health parks until the pass changes it.
        ConsulResponse<List<ServiceHealth>> first = health.getHealthyServiceInstances("web");
        assertThat(first.getResponse()).isEmpty();
        BigInteger index = first.getIndex();
        CompletableFuture<ConsulResponse<List<ServiceHealth>>> woken = CompletableFuture.supplyAsync(() ->
                health.getHealthyServiceInstances("web", QueryOptions.blockSeconds(30, index).build()));
        Thread.sleep(300);
        assertThat(woken).isNotDone();
        long passedAt = System.nanoTime();
        agentClient.pass("web-1", "ok");
        ConsulResponse<List<ServiceHealth>> after = woken.get(5, TimeUnit.SECONDS);
        assertThat(after.getIndex()).isGreaterThan(index);
        assertThat(after.getResponse()).singleElement().satisfies(h -> {
            assertThat(h.getService().getId()).isEqualTo("web-1");
            assertThat(h.getService().getPort()).isEqualTo(echo.address().getPort());
            assertThat(h.getChecks()).extracting(HealthCheck::getStatus).containsOnly("passing");
        });

        // Passing: a connection through Junction's listener reaches the instance.
        await().atMost(Duration.ofSeconds(2)).until(() -> eligible(agent) == 1);
        assertThat(echoThrough(webPort, "hello")).isEqualTo("hello");
        assertThat(echo.accepted()).isPositive();

        // No more passes: the TTL (2 s) expires to critical within TTL + 1 s, and the endpoint leaves.
        await().atMost(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(50))
                .until(() -> "critical".equals(agentClient.getChecks().get("service:web-1").getStatus()));
        long expiredAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - passedAt);
        assertThat(expiredAfterMs).isBetween(1_900L, 3_000L);
        assertThat(agentClient.getChecks().get("service:web-1").getOutput()).hasValue("TTL expired");
        await().atMost(Duration.ofSeconds(2)).until(() -> eligible(agent) == 0);

        // Pass again and register a second instance with a TCP check; both persist across a restart.
        agentClient.pass("web-1");
        agentClient.register(ImmutableRegistration.builder().id("web-2").name("web").address("127.0.0.1")
                .port(echo.address().getPort() + 0).addChecks(Registration.RegCheck.tcp(
                        "127.0.0.1:" + echo.address().getPort(), 1)).build());
        await().atMost(Duration.ofSeconds(5))
                .until(() -> "passing".equals(agentClient.getChecks().get("service:web-2").getStatus()));
        assertThat(agentClient.getChecks().get("service:web-2").getOutput()).hasValueSatisfying(
                o -> assertThat(o).startsWith("TCP connect 127.0.0.1:"));
        long indexBeforeRestart = health.getHealthyServiceInstances("web").getIndex().longValue();

        agent.shutdown();
        agent = null;
        consul.destroy();
        agent = RegistryFixture.start(dir, yaml);
        consul = client(registryPort);
        AgentClient again = consul.agentClient();
        Map<String, ?> services = again.getServices();
        assertThat(services).containsOnlyKeys("web-1", "web-2");
        assertThat(again.getServices().get("web-1").getTags()).containsExactly("v1");
        assertThat(again.getServices().get("web-1").getMeta()).containsEntry("team", "edge");
        assertThat(again.getChecks().get("service:web-1").getStatus()).isEqualTo("passing");
        // The index never goes backwards across a restart.
        assertThat(consul.healthClient().getHealthyServiceInstances("web").getIndex().longValue())
                .isGreaterThanOrEqualTo(indexBeforeRestart);
        await().atMost(Duration.ofSeconds(3)).until(() -> eligible(agent) == 1);
        assertThat(echoThrough(webPort, "again")).isEqualTo("again");

        // Deregister: the instance and its checks are gone, and so is the endpoint.
        again.deregister("web-1");
        again.deregister("web-2");
        assertThat(again.getServices()).isEmpty();
        assertThat(again.getChecks()).isEmpty();
        await().atMost(Duration.ofSeconds(2)).until(() -> RegistryFixture.web(agent).current().endpoints().isEmpty());
    }

    private static String echoThrough(int port, String text) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return new String(s.getInputStream().readNBytes(text.length()), java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
