package io.junction.agent.node;

import java.time.Duration;

import static org.awaitility.Awaitility.await;

/**
 * A backend registering itself, from inside its container's namespace, with a Junction registry through the Consul
 * agent API ({@code PUT /v1/agent/service/register}), as a workload would at start. Test-only; stateless.
 */
final class ContainerRegistration {
    private ContainerRegistration() {
    }

    /**
     * Registers {@code ip:port} as instance {@code id} of service {@code name} with a TCP check on it (every 1 s,
     * 1 s timeout), retrying until the registry at {@code registry} ({@code ip:port}) answers 200, as it may still be
     * starting.
     */
    static void register(TestNamespace container, String registry, String id, String name, String ip, int port) {
        String body = ("{\"ID\": \"%s\", \"Name\": \"%s\", \"Address\": \"%s\", \"Port\": %d,"
                + " \"Check\": {\"TCP\": \"%s:%d\", \"Interval\": \"1s\", \"Timeout\": \"1s\"}}")
                .formatted(id, name, ip, port, ip, port);
        String[] hostPort = registry.split(":");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> container.httpPut(hostPort[0],
                Integer.parseInt(hostPort[1]), "/v1/agent/service/register", body).matches("(?s)HTTP/1\\.[01] 200 .*"));
    }
}
