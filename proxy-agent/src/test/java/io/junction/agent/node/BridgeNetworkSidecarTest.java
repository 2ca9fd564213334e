package io.junction.agent.node;

import io.junction.agent.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Docker-style bridge network, built in namespaces this test creates: a "host" namespace holds a Linux bridge, and
 * three "containers" hang off it by veth pairs. Two containers run a backend each; the third runs an app with
 * Junction as its sidecar: the app reaches the {@code web} service at {@code 127.0.0.1:15001}, and the sidecar's
 * registry listens on the container's own address, where the backends register themselves with the Consul agent
 * API from inside their namespaces, each with a TCP check. Forwarding crosses the bridge. Deleting a backend's
 * container (its processes killed, its namespace and so its veth gone) moves the traffic to the other backend: a
 * connect to the vanished address times out and is retried on the other, and the failed check takes it out.
 * Fixed ports are fine here: they are bound only inside the namespaces this test makes.
 */
@Tag("netns")
class BridgeNetworkSidecarTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String B1 = "10.210.1.11";
    private static final String B2 = "10.210.1.12";
    private static final String APP = "10.210.1.20";
    private static final int BACKEND_PORT = 18081;
    private static final int REGISTRY_PORT = 8500;
    private static final int OUTBOUND_PORT = 15001;
    private static final String ADMIN = "127.0.0.1:9901";

    @TempDir
    Path dir;

    private ContainerTestbed testbed;
    private TestNamespace backend1;
    private TestNamespace backend2;
    private TestNamespace app;

    @BeforeEach
    void network() throws Exception {
        TestNamespace.assumeRootWithIproute();
        testbed = ContainerTestbed.open(dir);
        ContainerLinks.assumeKernelSupports("bridge", "type", "bridge");
        String tag = ContainerLinks.tag();
        TestNamespace host = testbed.namespace("host-");
        backend1 = testbed.namespace("b1-");
        backend2 = testbed.namespace("b2-");
        app = testbed.namespace("app-");
        String bridge = "br" + tag;
        ContainerLinks.bridge(host, bridge, 1500);
        ContainerLinks.plug(host, bridge, "vb1" + tag, backend1, B1 + "/24", 1500);
        ContainerLinks.plug(host, bridge, "vb2" + tag, backend2, B2 + "/24", 1500);
        ContainerLinks.plug(host, bridge, "vap" + tag, app, APP + "/24", 1500);
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (testbed != null) {
            testbed.close();
        }
    }

    @Test
    void backendsRegisterFromTheirContainersAndTheSidecarFailsOverWhenOneIsDeleted() throws Exception {
        Path config = dir.resolve("sidecar.yaml");
        Files.writeString(config, """
                admin:
                  listen: %s
                proxy:
                  workerThreads: 1
                  shutdownDrainTimeout: 1s
                discovery:
                  registry:
                    listen: %s:%d
                    stateFile: %s
                    allowedCidrs: [10.210.1.0/24]
                services:
                  - name: web
                    listen: 127.0.0.1:%d
                    connectTimeout: 500ms
                """.formatted(ADMIN, APP, REGISTRY_PORT, dir.resolve("registry.json"), OUTBOUND_PORT));
        app.java("sidecar", Main.class.getName(), "run", "--config", config.toString());
        startAndRegister(backend1, "web-1", B1);
        startAndRegister(backend2, "web-2", B2);

        await().atMost(WAIT).until(() -> AgentView.eligible(endpoints(), B1 + ":" + BACKEND_PORT)
                && AgentView.eligible(endpoints(), B2 + ":" + BACKEND_PORT));
        for (int i = 0; i < 10; i++) {
            assertThat(app.tcpExchange("127.0.0.1", OUTBOUND_PORT, "hello" + i)).isEqualTo("hello" + i);
        }
        assertThat(AgentView.totalConnections(endpoints(), B1 + ":" + BACKEND_PORT)).as("round robin over the bridge")
                .isEqualTo(5);
        assertThat(AgentView.totalConnections(endpoints(), B2 + ":" + BACKEND_PORT)).isEqualTo(5);

        backend1.close(); // the container is gone: processes killed, namespace and veth deleted
        int failures = 0;
        int successesInARow = 0;
        for (int i = 0; i < 40 && successesInARow < 10; i++) {
            boolean ok = ("after" + i).equals(app.tcpExchange("127.0.0.1", OUTBOUND_PORT, "after" + i));
            failures += ok ? 0 : 1;
            successesInARow = ok ? successesInARow + 1 : 0;
        }
        System.out.printf("bridge failover: %d failed exchanges after the backend's container was deleted%n",
                failures);
        assertThat(successesInARow).as("the app keeps succeeding through the remaining backend").isEqualTo(10);
        assertThat(failures).as("exchanges that failed while the deleted backend was still picked")
                .isLessThanOrEqualTo(2);

        await().atMost(WAIT).until(() -> !AgentView.eligible(endpoints(), B1 + ":" + BACKEND_PORT));
        long before2 = AgentView.totalConnections(endpoints(), B2 + ":" + BACKEND_PORT);
        for (int i = 0; i < 5; i++) {
            assertThat(app.tcpExchange("127.0.0.1", OUTBOUND_PORT, "only" + i)).isEqualTo("only" + i);
        }
        assertThat(AgentView.totalConnections(endpoints(), B2 + ":" + BACKEND_PORT))
                .as("every connection now goes to the backend left").isEqualTo(before2 + 5);
    }

    /** Starts the echo backend in {@code container}, then registers it from there with the sidecar's registry. */
    private void startAndRegister(TestNamespace container, String id, String ip) throws Exception {
        container.java("echo", NamespaceEcho.class.getName(), ip, Integer.toString(BACKEND_PORT));
        await().atMost(WAIT).until(() -> "up".equals(container.tcpExchange(ip, BACKEND_PORT, "up")));
        ContainerRegistration.register(container, APP + ":" + REGISTRY_PORT, id, "web", ip, BACKEND_PORT);
    }

    private Map<String, JsonNode> endpoints() throws Exception {
        return AgentView.endpoints(app, ADMIN, "web");
    }
}
