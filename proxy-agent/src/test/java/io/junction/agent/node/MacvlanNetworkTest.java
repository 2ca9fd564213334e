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
 * A Docker-style macvlan network, in namespaces this test creates: a "host" namespace with a parent interface (one end
 * of a veth pair standing for the host's NIC, 10.210.3.1/24) and three "containers" whose {@code eth0} is a macvlan
 * child of it in bridge mode (10.210.3.17-19, the network's ip-range 10.210.3.16/28). Children reach each other
 * through the parent's internal switch, but the macvlan rule holds: the parent's own namespace cannot reach its
 * children, nor they it. So a sidecar works as on any network, and a node daemon on the host needs what Docker
 * users add: a macvlan "shim" interface of the same parent with a host address (10.210.3.2/32) and a route for the
 * containers' range through it. Fixed ports are fine here: they are bound only inside the namespaces this test makes.
 */
@Tag("netns")
class MacvlanNetworkTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String PARENT_IP = "10.210.3.1";
    private static final String SHIM_IP = "10.210.3.2";
    private static final String CONTAINER_RANGE = "10.210.3.16/28";
    private static final String B1 = "10.210.3.17";
    private static final String B2 = "10.210.3.18";
    private static final String APP = "10.210.3.19";
    private static final int BACKEND_PORT = 18081;
    private static final int REGISTRY_PORT = 8500;
    private static final String ADMIN = "127.0.0.1:9901";

    @TempDir
    Path dir;

    private ContainerTestbed testbed;
    private TestNamespace host;
    private TestNamespace backend1;
    private TestNamespace backend2;
    private TestNamespace app;
    private String parent;
    private String tag;

    @BeforeEach
    void network() throws Exception {
        TestNamespace.assumeRootWithIproute();
        testbed = ContainerTestbed.open(dir);
        ContainerLinks.assumeKernelSupports("macvlan", "link", "p0", "type", "macvlan", "mode", "bridge");
        tag = ContainerLinks.tag();
        host = testbed.namespace("host-");
        backend1 = testbed.namespace("b1-");
        backend2 = testbed.namespace("b2-");
        app = testbed.namespace("app-");
        parent = "nic" + tag;
        // The wire end stays up in the host with no address: the parent needs a carrier for its children to work.
        host.exec("ip", "link", "add", parent, "type", "veth", "peer", "name", "wire" + tag);
        host.exec("ip", "link", "set", "wire" + tag, "up");
        ContainerLinks.up(host, parent, PARENT_IP + "/24");
        ContainerLinks.macvlanChild(host, parent, backend1, B1 + "/24");
        ContainerLinks.macvlanChild(host, parent, backend2, B2 + "/24");
        ContainerLinks.macvlanChild(host, parent, app, APP + "/24");
        startBackend(backend1, B1);
        startBackend(backend2, B2);
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (testbed != null) {
            testbed.close();
        }
    }

    @Test
    void aSidecarInAMacvlanContainerBalancesOverBackendsThatRegisteredFromTheirContainers() throws Exception {
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
                    allowedCidrs: [10.210.3.0/24]
                services:
                  - name: web
                    listen: 127.0.0.1:15001
                """.formatted(ADMIN, APP, REGISTRY_PORT, dir.resolve("registry.json")));
        app.java("sidecar", Main.class.getName(), "run", "--config", config.toString());
        ContainerRegistration.register(backend1, APP + ":" + REGISTRY_PORT, "web-1", "web", B1, BACKEND_PORT);
        ContainerRegistration.register(backend2, APP + ":" + REGISTRY_PORT, "web-2", "web", B2, BACKEND_PORT);
        await().atMost(WAIT).until(() -> AgentView.eligible(endpoints(app), B1 + ":" + BACKEND_PORT)
                && AgentView.eligible(endpoints(app), B2 + ":" + BACKEND_PORT));

        for (int i = 0; i < 10; i++) {
            assertThat(app.tcpExchange("127.0.0.1", 15001, "hello" + i)).isEqualTo("hello" + i);
        }
        assertThat(AgentView.totalConnections(endpoints(app), B1 + ":" + BACKEND_PORT))
                .as("round robin from one macvlan child to its siblings").isEqualTo(5);
        assertThat(AgentView.totalConnections(endpoints(app), B2 + ":" + BACKEND_PORT)).isEqualTo(5);
    }

    @Test
    void aNodeDaemonOnTheHostReachesMacvlanContainersOnlyThroughAShimInterface() throws Exception {
        TestNamespace.assumeRootWithNetworkTools(); // node mode programs nftables
        assertThat(backend2.tcpExchange(B1, BACKEND_PORT, "sibling")).as("children reach each other")
                .isEqualTo("sibling");
        assertThat(host.tcpExchange(B1, BACKEND_PORT, "parent")).as("the parent's namespace cannot reach a child")
                .isNull();
        host.exec("ip", "route", "add", "local", "10.96.0.0/12", "dev", "lo"); // the node's service CIDR
        app.exec("ip", "route", "add", "10.96.0.0/12", "via", PARENT_IP);
        Path config = dir.resolve("junction.yaml");
        Files.writeString(config, """
                admin:
                  listen: %s
                proxy:
                  workerThreads: 1
                  shutdownDrainTimeout: 1s
                nodeMode:
                  enabled: true
                services:
                  - name: web
                    virtualAddress: 10.96.0.10:80
                    connectTimeout: 300ms
                    endpoints: [%s:%d, %s:%d]
                """.formatted(ADMIN, B1, BACKEND_PORT, B2, BACKEND_PORT));
        host.java("agent", Main.class.getName(), "run", "--config", config.toString());
        await().atMost(WAIT).until(() -> host.run("timeout", "3", "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9901")
                .code() == 0 && host.httpGet("127.0.0.1", 9901, "/readyz").contains("200"));
        assertThat(host.tcpExchange("10.96.0.10", 80, "noshim"))
                .as("without a shim the agent accepts, cannot reach the containers, and closes").isEmpty();
        assertThat(app.tcpExchange("10.96.0.10", 80, "noshim")).as("nor can a container reach the host's agent")
                .isNull();

        String shim = "shim" + tag;
        host.exec("ip", "link", "add", shim, "link", parent, "type", "macvlan", "mode", "bridge");
        ContainerLinks.up(host, shim, SHIM_IP + "/32");
        host.exec("ip", "route", "add", CONTAINER_RANGE, "dev", shim);
        app.exec("ip", "route", "replace", "10.96.0.0/12", "via", SHIM_IP);

        await().atMost(WAIT).until(() -> "hello".equals(host.tcpExchange("10.96.0.10", 80, "hello")));
        for (int i = 0; i < 6; i++) {
            assertThat(host.tcpExchange("10.96.0.10", 80, "host" + i)).as("from the host").isEqualTo("host" + i);
            assertThat(app.tcpExchange("10.96.0.10", 80, "app" + i)).as("from a container, through the shim")
                    .isEqualTo("app" + i);
        }
        Map<String, JsonNode> endpoints = endpoints(host);
        assertThat(AgentView.totalConnections(endpoints, B1 + ":" + BACKEND_PORT)
                + AgentView.totalConnections(endpoints, B2 + ":" + BACKEND_PORT))
                .as("connections the agent carried to the containers").isEqualTo(13);
        assertThat(AgentView.totalConnections(endpoints, B1 + ":" + BACKEND_PORT)).isPositive();
        assertThat(AgentView.totalConnections(endpoints, B2 + ":" + BACKEND_PORT)).isPositive();
    }

    private void startBackend(TestNamespace container, String ip) throws Exception {
        container.java("echo", NamespaceEcho.class.getName(), ip, Integer.toString(BACKEND_PORT));
        await().atMost(WAIT).until(() -> "up".equals(container.tcpExchange(ip, BACKEND_PORT, "up")));
    }

    private static Map<String, JsonNode> endpoints(TestNamespace ns) throws Exception {
        return AgentView.endpoints(ns, ADMIN, "web");
    }
}
