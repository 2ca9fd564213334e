package io.junction.agent.node;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.junction.agent.Main;
import io.junction.agent.discovery.kubernetes.MockApi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static io.junction.agent.discovery.kubernetes.K8sObjects.port;
import static io.junction.agent.discovery.kubernetes.K8sObjects.ready;
import static io.junction.agent.discovery.kubernetes.K8sObjects.service;
import static io.junction.agent.discovery.kubernetes.K8sObjects.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Kubernetes ClusterIPs in node mode, as a pod reaches them: two namespaces this test creates, a "node" where the
 * agent and a mock API server run, and a "pod" joined to it by a veth pair, whose default route is the node. The
 * backend runs in the pod, so each connection goes pod → node (nat prerouting redirects the ClusterIP to the agent's
 * listener) → agent → pod. The agent learns the Services and EndpointSlices from the API server; the rules follow
 * them and are gone after shutdown.
 */
class KubernetesNodeModeNamespaceTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String NODE_IP = "10.200.0.1";
    private static final String POD_IP = "10.200.0.2";
    private static final int BACKEND_PORT = 18081;
    private static final int API_PORT = 16443;

    @TempDir
    Path dir;

    private TestNamespace node;
    private TestNamespace pod;
    private OutputStream api;
    private int apiCommands;
    private final KubernetesSerialization json = new KubernetesSerialization();

    @BeforeEach
    void network() throws Exception {
        TestNamespace.assumeRootWithNetworkTools();
        node = TestNamespace.create("jn-", dir);
        pod = TestNamespace.create("jp-", dir);
        String veth = "jv" + node.name().substring(3);
        node.exec("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", pod.name());
        node.exec("ip", "addr", "add", NODE_IP + "/24", "dev", veth);
        node.exec("ip", "link", "set", veth, "up");
        // The node's service CIDR route, as in NodeModeNamespaceTest: a ClusterIP with no rule is refused at once.
        node.exec("ip", "route", "add", "local", "10.96.0.0/12", "dev", "lo");
        pod.exec("ip", "addr", "add", POD_IP + "/24", "dev", "eth0");
        pod.exec("ip", "link", "set", "eth0", "up");
        pod.exec("ip", "route", "add", "default", "via", NODE_IP);
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (api != null) {
            api.close();
        }
        if (pod != null) {
            pod.close();
        }
        if (node != null) {
            node.close();
        }
    }

    @Test
    void aPodReachesServicesThroughTheirClusterIpsAndTheRulesFollowTheApiServer() throws Exception {
        pod.java("echo", NamespaceEcho.class.getName(), POD_IP, Integer.toString(BACKEND_PORT));
        Process apiServer = node.java("api", NamespaceKubeApi.class.getName(), Integer.toString(API_PORT));
        api = apiServer.getOutputStream();
        await().atMost(WAIT).until(() -> Files.readString(node.log("api")).contains("api listening"));
        apply(service("shop", "web", "10.96.0.10", port("http", 80, "TCP"), port("udp-dns", 53, "UDP")).build());
        apply(slice("shop", "web-tcp", "web", "http", BACKEND_PORT, ready(POD_IP, "n1")));
        apply(slice("shop", "web-udp", "web", "udp-dns", BACKEND_PORT, ready(POD_IP, "n1")));
        Path kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, MockApi.kubeconfig(API_PORT));
        Path config = dir.resolve("junction.yaml");
        Files.writeString(config, """
                admin:
                  listen: 127.0.0.1:9901
                proxy:
                  workerThreads: 1
                  shutdownDrainTimeout: 1s
                nodeMode:
                  enabled: true
                discovery:
                  kubernetes:
                    kubeconfig: %s
                    nodeName: n1
                services: []
                """.formatted(kubeconfig));
        Process agent = node.java("agent", Main.class.getName(), "run", "--config", config.toString());

        await().atMost(WAIT).until(() -> "hello".equals(pod.tcpExchange("10.96.0.10", 80, "hello")));
        assertThat(udpFromPod("10.96.0.10", 53, "ping")).as("udp from the pod through the ClusterIP")
                .isEqualTo("ping");
        assertThat(node.tcpExchange("10.96.0.10", 80, "local")).as("from the node itself (nat output)")
                .isEqualTo("local");

        apply(service("shop", "api", "10.96.0.20", port("grpc", 8080, "TCP")).build());
        apply(slice("shop", "api-a", "api", "grpc", BACKEND_PORT, ready(POD_IP, "n1")));
        await().atMost(WAIT).until(() -> "api".equals(pod.tcpExchange("10.96.0.20", 8080, "api")));
        delete(service("shop", "web", "10.96.0.10", port("http", 80, "TCP"), port("udp-dns", 53, "UDP")).build());
        await().atMost(WAIT).until(() -> !node.exec("nft", "list", "table", "inet", "junction").contains("10.96.0.10"));
        assertThat(pod.tcpExchange("10.96.0.10", 80, "gone")).as("a deleted Service's ClusterIP has no rule")
                .isNull();
        assertThat(pod.tcpExchange("10.96.0.20", 8080, "still")).isEqualTo("still");

        agent.destroy(); // SIGTERM
        assertThat(agent.waitFor(20, TimeUnit.SECONDS)).as("the agent stops").isTrue();
        assertThat(agent.exitValue()).isZero();
        assertThat(node.run("nft", "list", "table", "inet", "junction").code())
                .as("the table is gone after a clean shutdown").isNotZero();
    }

    /** One datagram from the pod's address to {@code ip:port} and its echo; null when none came back. */
    private String udpFromPod(String ip, int port, String message) throws Exception {
        Process p = pod.java("udp-client", NamespaceEcho.class.getName(), "udp-client", POD_IP, ip,
                Integer.toString(port), message);
        assertThat(p.waitFor(15, TimeUnit.SECONDS)).isTrue();
        return p.exitValue() == 0 ? Files.readString(pod.log("udp-client")) : null;
    }

    private void apply(HasMetadata object) throws Exception {
        send("apply ", object);
    }

    private void delete(HasMetadata object) throws Exception {
        send("delete ", object);
    }

    /** Hands one command to the API server process and waits until it is done. */
    private void send(String verb, HasMetadata object) throws Exception {
        api.write((verb + json.asJson(object) + "\n").getBytes(StandardCharsets.UTF_8));
        api.flush();
        String done = "done " + ++apiCommands + "\n";
        await().atMost(WAIT).until(() -> apiLog().contains(done));
    }

    private String apiLog() throws IOException {
        return Files.readString(node.log("api"));
    }
}
