package io.junction.agent.registry;

import io.junction.agent.Agent;
import io.junction.core.testing.TcpEchoServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One registry serving a small fleet: instances register with the first agent's registry, and a second agent, on
 * what would be another node, watches that registry's catalog with {@code discovery.consul} (blocking queries) and
 * routes to them. Both agents run here on loopback; the second one's only link to the first is the registry's HTTP
 * API, exactly as it would be to a Consul server.
 */
class TwoAgentsTest {
    @TempDir
    Path dir;

    private final TcpEchoServer backendA = new TcpEchoServer();
    private final TcpEchoServer backendB = new TcpEchoServer();
    private Agent registryAgent;
    private Agent watcher;

    @AfterEach
    void stop() {
        if (watcher != null) {
            watcher.shutdown();
        }
        if (registryAgent != null) {
            registryAgent.shutdown();
        }
        backendA.close();
        backendB.close();
    }

    @Test
    void aSecondAgentRoutesToInstancesRegisteredOnTheFirstWithinASecond() throws Exception {
        int registryPort = RegistryFixture.freePort();
        Path first = Files.createDirectories(dir.resolve("first"));
        registryAgent = RegistryFixture.start(first, RegistryFixture.config(RegistryFixture.freePort(),
                registryPort, 0, first.resolve("registry.json"), ""));
        int webPort = RegistryFixture.freePort();
        Path second = Files.createDirectories(dir.resolve("second"));
        watcher = RegistryFixture.start(second, """
                admin:
                  listen: off
                proxy:
                  shutdownDrainTimeout: 1s
                  accessLog: false
                discovery:
                  consul:
                    address: 127.0.0.1:%d
                services:
                  - {name: web, listen: 127.0.0.1:%d}
                """.formatted(registryPort, webPort));

        long registered = register(registryPort, "web-a", backendA);
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                .until(() -> RegistryFixture.eligible(watcher) == 1);
        long seenAfterMillis = (System.nanoTime() - registered) / 1_000_000;
        assertThat(seenAfterMillis).as("registered on the first agent, routable on the second (ms)")
                .isLessThan(1_000);
        assertThat(echoOnce(webPort, "hello")).isEqualTo("hello");
        assertThat(backendA.accepted()).isEqualTo(1);

        register(registryPort, "web-b", backendB);
        await().atMost(Duration.ofSeconds(1)).until(() -> RegistryFixture.eligible(watcher) == 2);
        HttpResponse<String> gone = RegistryFixture.put(registryPort, "/v1/agent/service/deregister/web-a", "");
        assertThat(gone.statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(1)).until(() -> RegistryFixture.eligible(watcher) == 1);
        for (int i = 0; i < 5; i++) {
            assertThat(echoOnce(webPort, "b")).isEqualTo("b");
        }
        assertThat(backendA.accepted()).as("nothing more reaches the deregistered instance").isEqualTo(1);
        assertThat(backendB.accepted()).isEqualTo(5);
    }

    private static String echoOnce(int port, String message) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write(message.getBytes(StandardCharsets.UTF_8));
            return new String(s.getInputStream().readNBytes(message.length()), StandardCharsets.UTF_8);
        }
    }

    /** Registers an instance of {@code web} on the registry; returns when (nanoTime) the registry accepted it. */
    private static long register(int registryPort, String id, TcpEchoServer backend) throws Exception {
        HttpResponse<String> r = RegistryFixture.put(registryPort, "/v1/agent/service/register", """
                {"ID": "%s", "Name": "web", "Address": "127.0.0.1", "Port": %d}
                """.formatted(id, backend.address().getPort()));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return System.nanoTime();
    }
}
